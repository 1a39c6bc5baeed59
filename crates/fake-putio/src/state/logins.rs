//! What the login endpoints remember (the app, the answer rules, codes handed out); it lives
//! in the account state, behind its mutex, and `oauth` reads and changes it.

use std::collections::HashMap;

use crate::model::{Authorize, DeviceLogin, OAuthApp};
use crate::unknowns::OAuthRules;

/// What the fake remembers about logins; lives in the account state, behind its mutex.
pub(crate) struct Logins {
    pub app: OAuthApp,
    pub rules: OAuthRules,
    pub authorize: Authorize,
    /// A device code is approved on this poll (0 = never).
    pub device_approve_after: u32,
    /// Codes handed out at authorize and not yet traded.
    pub grants: HashMap<String, Grant>,
    /// Device codes in the order they were handed out.
    pub devices: Vec<DeviceLogin>,
}

pub(crate) struct Grant {
    pub redirect_uri: String,
    pub challenge: Option<(String, String)>,
}

impl Logins {
    pub fn new(rules: OAuthRules) -> Self {
        Self {
            app: OAuthApp::default(),
            rules,
            authorize: Authorize::Approve,
            device_approve_after: 2,
            grants: HashMap::new(),
            devices: Vec::new(),
        }
    }
}
