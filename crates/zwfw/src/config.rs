//! Configuration: defaults, then a TOML file, then `ZWFW_*` environment
//! variables, then command-line flags (clap reads the flag or its variable).

use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use zwfw_domain::auth::SecurityPolicy;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA_DIR: &str = "./zwfw-data";

/// The file layer: every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub demo: Option<bool>,
    pub now: Option<String>,
    pub clock_offset: Option<String>,
    pub secure_cookies: Option<bool>,
    pub site_name: Option<String>,
    pub security: Option<SecurityPolicy>,
}

impl FileConfig {
    pub fn load(path: Option<&Path>) -> Result<FileConfig> {
        match path {
            None => Ok(FileConfig::default()),
            Some(p) => {
                let text =
                    std::fs::read_to_string(p).with_context(|| format!("cannot read config file {}", p.display()))?;
                toml::from_str(&text).with_context(|| format!("invalid config file {}", p.display()))
            }
        }
    }
}

/// The resolved settings.
#[derive(Debug, Clone)]
pub struct Settings {
    pub listen: String,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub demo: bool,
    pub now: Option<String>,
    pub clock_offset: Option<String>,
    pub secure_cookies: bool,
    pub site_name: String,
    pub policy: SecurityPolicy,
}

/// Builds the default SQLite URL for a data directory (created if missing).
pub fn sqlite_url(data_dir: &Path) -> Result<String> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create data directory {}", data_dir.display()))?;
    let abs = data_dir.canonicalize().unwrap_or_else(|_| data_dir.to_path_buf());
    Ok(format!("sqlite://{}", abs.join("zwfw.db").display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_file_layer() {
        let c: FileConfig =
            toml::from_str("listen = \"0.0.0.0:9000\"\ndemo = true\n[security]\nlockout_minutes = 30\n").unwrap();
        assert_eq!(c.listen.as_deref(), Some("0.0.0.0:9000"));
        assert_eq!(c.security.unwrap().lockout_minutes, 30);
        assert!(toml::from_str::<FileConfig>("lisen = 1").is_err(), "unknown keys are refused");
    }
}
