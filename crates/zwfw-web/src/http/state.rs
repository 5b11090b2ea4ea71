//! The web layer's state: the application, the page templates and the
//! settings only HTTP needs.

use crate::http::templates::Templates;
use std::sync::Arc;
use zwfw_app::App;

/// Settings of the web layer, filled by the binary from defaults, the config
/// file and `ZWFW_*` variables.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Mark cookies `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// The reverse proxies whose `X-Forwarded-For` names the client (none by default).
    pub trusted_proxies: Vec<crate::http::proxies::ProxyNet>,
}

pub struct WebInner {
    pub app: App,
    pub web: WebConfig,
    pub templates: Templates,
}

/// What every handler gets: the application (through `Deref`) and the web's own parts.
#[derive(Clone)]
pub struct AppState(pub Arc<WebInner>);

impl std::ops::Deref for AppState {
    type Target = App;
    fn deref(&self) -> &App {
        &self.0.app
    }
}

impl AppState {
    pub fn new(app: App, web: WebConfig) -> AppState {
        AppState(Arc::new(WebInner { app, web, templates: Templates::new() }))
    }
    pub fn app(&self) -> &App {
        &self.0.app
    }
    pub fn web(&self) -> &WebConfig {
        &self.0.web
    }
    pub fn templates(&self) -> &Templates {
        &self.0.templates
    }
}
