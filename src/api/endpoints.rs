//! Where put.io lives for this run: the API and upload origins. The client's own input type;
//! `crate::settings` fills it from flags, environment and config file, and checks the values.

/// put.io's API origin, the default.
pub const DEFAULT_API_URL: &str = "https://api.put.io";
/// put.io's upload (tus) origin, the default.
pub const DEFAULT_UPLOAD_URL: &str = "https://upload.put.io";

/// Where the API and upload hosts live (origins, no trailing slash).
#[derive(Clone, Debug)]
pub struct Endpoints {
    pub api: String,
    pub upload: String,
}
