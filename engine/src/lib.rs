//! wixsync keeps a Wix CLI app's backend event extensions equal to its `wix-events.yaml`.
//!
//! It is a reconciler: the manifest is the desired state, the app's files are the actual
//! state, and a plan of changes makes the second match the first. The pipeline runs one way,
//! pure in the middle, I/O at the edges:
//!
//! ```text
//! read manifest ─┐
//!                ├─> plan ─> changeset (in memory) ─> verify ─> commit to disk
//! scan the app ──┘                                          └─> render
//! ```
//!
//! ```no_run
//! use std::path::Path;
//! use wixsync::reconcile::{Options, reconcile};
//!
//! let app = Path::new("my-wix-app");
//! let reconciliation = reconcile(app, &Options::default()).expect("a readable app");
//! for step in &reconciliation.plan.steps {
//!     println!("{}: {}", step.action, step.reason);
//! }
//! for diagnostic in reconciliation.diagnostics() {
//!     eprintln!("{diagnostic}");
//! }
//! wixsync::commit::commit(app, &reconciliation.changeset).expect("writable files");
//! ```
//!
//! # Limitations
//!
//! `src/extensions.ts` must default-export an `app()` chain (`export default app().use(a)`);
//! other shapes are refused with a message that says what to change.

pub mod catalog_cmd;
pub mod changeset;
pub mod cli;
pub mod commit;
pub mod diagnose;
pub mod edit;
#[doc(hidden)]
pub mod fuzz;
mod generate;
pub mod git;
pub mod import;
pub mod output;
mod parse;
pub mod permissions;
pub mod plan;
pub mod reconcile;
pub mod render;
pub mod scan;
pub mod sdk;
pub mod tree;
pub mod verify;
pub mod workspace;
