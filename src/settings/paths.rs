//! Every folder and file putio-up keeps, from one source: the platform's folders as the
//! `directories` crate gives them, unless an override says otherwise.
//!
//! The config file and the token file sit in the same folder, the config folder, on every
//! platform: `$XDG_CONFIG_HOME/putio-up` (`~/.config/putio-up`) on Linux,
//! `~/Library/Application Support/putio-up` on macOS, `%APPDATA%\putio-up\config` on
//! Windows. The resume journal goes to the state folder (`~/.local/state/putio-up` on Linux;
//! where the platform has none, the local data folder).

use std::path::{Path, PathBuf};

use super::config::CONFIG_FILE;

/// The environment variable that moves the config folder (token file, `putio-up.toml`).
pub const CONFIG_DIR_ENV: &str = "PUTIO_UP_CONFIG_DIR";
/// The environment variable that names the config file to read, like `--config`.
pub const CONFIG_FILE_ENV: &str = "PUTIO_UP_CONFIG";
/// The environment variable that moves the state folder (resume journal).
pub const STATE_DIR_ENV: &str = "PUTIO_UP_STATE_DIR";

/// The platform's folders for putio-up: what `directories::ProjectDirs` says, reduced to the
/// ones we use. A plain struct, so tests can build the layout of any platform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    pub config_dir: PathBuf,
    /// Only some platforms have one (Linux); the others fall back to `data_local_dir`.
    pub state_dir: Option<PathBuf>,
    pub data_local_dir: PathBuf,
}

impl Layout {
    /// This platform's folders for putio-up, or `None` when there is no home folder.
    pub fn of_platform() -> Option<Layout> {
        let dirs = directories::ProjectDirs::from("", "", "putio-up")?;
        Some(Layout {
            config_dir: dirs.config_dir().to_owned(),
            state_dir: dirs.state_dir().map(Path::to_owned),
            data_local_dir: dirs.data_local_dir().to_owned(),
        })
    }
}

/// What the person asked for instead of the platform's folders.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// `PUTIO_UP_CONFIG_DIR`.
    pub config_dir: Option<PathBuf>,
    /// `--config` / `PUTIO_UP_CONFIG`: this file, which must then exist.
    pub config_file: Option<PathBuf>,
    /// `PUTIO_UP_STATE_DIR`.
    pub state_dir: Option<PathBuf>,
}

impl Overrides {
    /// The overrides from the environment, and `--config` (which beats `PUTIO_UP_CONFIG`).
    pub fn from_env(config_file: Option<&Path>) -> Overrides {
        let dir = |name| {
            std::env::var_os(name)
                .filter(|d| !d.is_empty())
                .map(PathBuf::from)
        };
        Overrides {
            config_dir: dir(CONFIG_DIR_ENV),
            config_file: config_file
                .map(Path::to_owned)
                .or_else(|| dir(CONFIG_FILE_ENV)),
            state_dir: dir(STATE_DIR_ENV),
        }
    }
}

/// Where this run keeps and finds its files. `None`: no home folder and no override.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paths {
    /// The config folder: the token file lives here, and the default config file.
    pub config_dir: Option<PathBuf>,
    /// The config file to read (it may not exist unless `config_named`).
    pub config_file: Option<PathBuf>,
    /// The config file was named by `--config` / `PUTIO_UP_CONFIG`.
    pub config_named: bool,
    /// The resume journal's folder.
    pub state_dir: Option<PathBuf>,
}

impl Paths {
    /// Overrides first, then the platform's layout.
    pub fn resolve(overrides: Overrides, layout: Option<&Layout>) -> Paths {
        let config_dir = overrides
            .config_dir
            .or_else(|| layout.map(|l| l.config_dir.clone()));
        let config_named = overrides.config_file.is_some();
        let config_file = overrides
            .config_file
            .or_else(|| config_dir.as_ref().map(|dir| dir.join(CONFIG_FILE)));
        let state_dir = overrides.state_dir.or_else(|| {
            layout.map(|l| {
                l.state_dir
                    .clone()
                    .unwrap_or_else(|| l.data_local_dir.clone())
            })
        });
        Paths {
            config_dir,
            config_file,
            config_named,
            state_dir,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::DEFAULT_API_URL;
    use crate::auth::store::Store;

    /// The layouts `directories` 6 gives putio-up, built from a home folder the way its
    /// `ProjectDirs` builds them on each platform.
    fn layouts(home: &Path) -> Vec<(&'static str, Layout)> {
        let mac = home.join("Library/Application Support/putio-up");
        let roaming = home.join("AppData/Roaming/putio-up");
        let local = home.join("AppData/Local/putio-up");
        vec![
            (
                "linux",
                Layout {
                    config_dir: home.join(".config/putio-up"),
                    state_dir: Some(home.join(".local/state/putio-up")),
                    data_local_dir: home.join(".local/share/putio-up"),
                },
            ),
            (
                "macos",
                Layout {
                    config_dir: mac.clone(),
                    state_dir: None,
                    data_local_dir: mac,
                },
            ),
            (
                "windows",
                Layout {
                    config_dir: roaming.join("config"),
                    state_dir: None,
                    data_local_dir: local.join("data"),
                },
            ),
        ]
    }

    /// The folder of the token file a login to put.io would write.
    fn token_folder(paths: &Paths) -> PathBuf {
        let store = Store::new(
            DEFAULT_API_URL,
            paths.config_dir.as_deref(),
            crate::auth::store::KeychainOptions::default(),
        );
        store.file().unwrap().parent().unwrap().to_owned()
    }

    #[test]
    fn the_config_file_sits_next_to_the_token_file_on_every_platform() {
        let home = Path::new("/Users/alice");
        for (platform, layout) in layouts(home) {
            let paths = Paths::resolve(Overrides::default(), Some(&layout));
            let config_file = paths.config_file.clone().unwrap();
            assert_eq!(
                config_file.parent().unwrap(),
                token_folder(&paths),
                "{platform}"
            );
            assert_eq!(config_file.file_name().unwrap(), CONFIG_FILE, "{platform}");
            assert!(!paths.config_named, "{platform}");
            assert!(config_file.starts_with(home), "{platform}");
            let state = paths.state_dir.unwrap();
            assert_eq!(
                state,
                layout.state_dir.unwrap_or(layout.data_local_dir),
                "{platform}: the state folder, else the local data folder"
            );
        }
    }

    #[test]
    fn overrides_move_both_files_together_and_the_named_file_alone() {
        let (_, mac) = layouts(Path::new("/Users/alice")).remove(1);
        let moved = Paths::resolve(
            Overrides {
                config_dir: Some("/elsewhere".into()),
                ..Overrides::default()
            },
            Some(&mac),
        );
        assert_eq!(
            moved.config_file.as_deref(),
            Some(Path::new("/elsewhere/putio-up.toml"))
        );
        assert_eq!(token_folder(&moved), Path::new("/elsewhere"));

        let named = Paths::resolve(
            Overrides {
                config_file: Some("/etc/p.toml".into()),
                state_dir: Some("/state".into()),
                ..Overrides::default()
            },
            Some(&mac),
        );
        assert!(named.config_named);
        assert_eq!(named.config_file.as_deref(), Some(Path::new("/etc/p.toml")));
        assert_eq!(token_folder(&named), mac.config_dir);
        assert_eq!(named.state_dir.as_deref(), Some(Path::new("/state")));

        let homeless = Paths::resolve(Overrides::default(), None);
        assert!(homeless.config_dir.is_none() && homeless.config_file.is_none());
        assert!(homeless.state_dir.is_none());
    }
}
