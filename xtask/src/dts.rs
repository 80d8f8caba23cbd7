//! Reading the SDK's declaration files: the extraction lives in the engine
//! ([`wixsync::sdk::dts`]), which also reads the packages installed in an app's
//! `node_modules` with it; here an npm tarball is one of its file sources.

use std::borrow::Cow;

use wixsync::sdk::dts::{DtsError, PackageFiles};
pub use wixsync::sdk::dts::{events, namespace_exports, resolve_relative};

use crate::npm::Tarball;

impl PackageFiles for Tarball {
    fn label(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }

    fn has(&self, path: &str) -> bool {
        Tarball::has(self, path)
    }

    fn text(&self, path: &str) -> Result<Cow<'_, str>, DtsError> {
        Tarball::text(self, path)
            .map(Cow::Borrowed)
            .map_err(|e| DtsError::File(format!("{e:#}")))
    }
}
