//! The put.io token as a type that cannot leak through formatting.
//!
//! `Debug` and `Display` print a placeholder; the only way to the characters is
//! [`Token::expose`], used where the token goes onto the wire.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Trims surrounding white space (a token pasted from a file or terminal often has a newline).
    /// Returns `None` for an empty token.
    pub fn new(raw: &str) -> Option<Self> {
        let trimmed = raw.trim();
        (!trimmed.is_empty()).then(|| Token(trimmed.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// From a config file: a string; empty is an error (say nothing rather than an empty secret).
impl<'de> serde::Deserialize<'de> for Token {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Token::new(&raw).ok_or_else(|| serde::de::Error::custom("must not be empty"))
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::Token;

    #[test]
    fn formatting_never_shows_the_token() {
        let token = Token::new(" s3cr3t-value\n").unwrap();
        assert_eq!(token.expose(), "s3cr3t-value");
        assert!(!format!("{token:?} {token} {:#?}", Some(&token)).contains("s3cr3t"));
    }

    #[test]
    fn empty_token_is_none() {
        assert!(Token::new("  \n").is_none());
    }
}
