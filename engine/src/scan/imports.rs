//! Imports into an event folder from elsewhere in `src/`: `import`, `export ... from` and
//! `import(...)` whose relative specifier resolves into `src/extensions/backend/events/<folder>/`.
//!
//! A rename must rewrite each of these specifiers, as an editor's "move file" does; a removal
//! must not leave them dangling. Files inside the folder itself move with it, so their
//! relative imports stay right and are not listed. A file that does not parse is skipped here
//! (TypeScript files wixsync edits are parsed, and fail, elsewhere).

use swc_ecma_ast::{Callee, Expr, ImportSpecifier, Lit, ModuleDecl, ModuleExportName, ModuleItem};
use swc_ecma_visit::{Visit, VisitWith};

use super::{StrLit, str_value};
use crate::parse::{ParsedModule, parse_module};
use crate::tree::{AppTree, EVENTS_DIR, REGISTRY_PATH, SOURCE_EXTENSIONS};

/// One import of a file in an event folder, from a file outside that folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderImport {
    /// The importing file, relative to the app root.
    pub path: String,
    /// The module specifier as written.
    pub specifier: StrLit,
    /// The event folder it points into.
    pub folder: String,
    /// Which `/`-separated segment of the specifier names the folder.
    pub folder_segment: usize,
    /// The names it imports (`default` for a default import), or `None` when it may use any
    /// (`import * as`, `export * from`, a re-export, `import(...)`).
    pub names: Option<Vec<String>>,
}

impl FolderImport {
    /// Whether it imports the file `stem` of its folder (`order-paid` for `order-paid.ts`,
    /// written with or without `.ts`/`.js`) and may use the export `name`.
    pub fn may_use(&self, stem: &str, name: &str) -> bool {
        let segments: Vec<&str> = self.specifier.value.split('/').collect();
        let [file] = &segments[self.folder_segment + 1..] else {
            return false;
        };
        let file = file
            .strip_suffix(".ts")
            .or_else(|| file.strip_suffix(".js"))
            .unwrap_or(file);
        file == stem
            && self
                .names
                .as_ref()
                .is_none_or(|names| names.iter().any(|n| n == name))
    }

    /// The specifier after the folder `self.folder` becomes `to`: the folder's segment, and a
    /// last segment named after the folder (`order-paid`, `order-paid.ts`), take the new name.
    pub fn renamed(&self, to: &str) -> String {
        let from = self.folder.as_str();
        let mut segments: Vec<String> =
            self.specifier.value.split('/').map(str::to_owned).collect();
        let last = segments.len() - 1;
        segments[self.folder_segment] = to.to_owned();
        if last > self.folder_segment {
            let name = &segments[last];
            if name == from {
                segments[last] = to.to_owned();
            } else if let Some(rest) = name.strip_prefix(from).filter(|r| r.starts_with('.')) {
                segments[last] = format!("{to}{rest}");
            }
        }
        segments.join("/")
    }
}

/// Where `specifier`, imported by `importer` (a path relative to the app root), points: the
/// event folder and the index of the specifier's segment that names it.
fn into_event_folder(importer: &str, specifier: &str) -> Option<(String, usize)> {
    if !specifier.starts_with("./") && !specifier.starts_with("../") {
        return None;
    }
    let events: Vec<&str> = EVENTS_DIR.split('/').collect();
    let mut at: Vec<&str> = importer.split('/').collect();
    at.pop();
    for (index, segment) in specifier.split('/').enumerate() {
        match segment {
            "." | "" => {}
            ".." => {
                at.pop()?;
            }
            name => {
                at.push(name);
                if at.len() == events.len() + 1 && at[..events.len()] == events[..] {
                    return Some((name.to_owned(), index));
                }
            }
        }
    }
    None
}

/// The string literal specifiers of a module's imports, re-exports and `import(...)` calls.
struct Specifiers<'a> {
    parsed: &'a ParsedModule<'a>,
    found: Vec<(StrLit, Option<Vec<String>>)>,
}

impl Specifiers<'_> {
    fn push(&mut self, lit: &swc_ecma_ast::Str, names: Option<Vec<String>>) {
        self.found.push((
            StrLit::new(
                self.parsed.text(),
                str_value(lit),
                self.parsed.range(lit.span),
            ),
            names,
        ));
    }
}

/// The names an import declaration takes, `None` for `* as`.
fn imported_names(import: &swc_ecma_ast::ImportDecl) -> Option<Vec<String>> {
    let mut names = Vec::new();
    for spec in &import.specifiers {
        match spec {
            ImportSpecifier::Named(named) => names.push(match &named.imported {
                Some(ModuleExportName::Ident(i)) => i.sym.to_string(),
                Some(ModuleExportName::Str(s)) => str_value(s),
                None => named.local.sym.to_string(),
            }),
            ImportSpecifier::Default(_) => names.push("default".to_owned()),
            ImportSpecifier::Namespace(_) => return None,
        }
    }
    Some(names)
}

impl Visit for Specifiers<'_> {
    fn visit_module_item(&mut self, item: &ModuleItem) {
        if let ModuleItem::ModuleDecl(decl) = item {
            match decl {
                ModuleDecl::Import(import) => self.push(&import.src, imported_names(import)),
                ModuleDecl::ExportAll(export) => self.push(&export.src, None),
                ModuleDecl::ExportNamed(export) => {
                    if let Some(src) = &export.src {
                        self.push(src, None);
                    }
                }
                _ => {}
            }
        }
        item.visit_children_with(self);
    }

    fn visit_call_expr(&mut self, call: &swc_ecma_ast::CallExpr) {
        if matches!(call.callee, Callee::Import(_))
            && let Some(arg) = call.args.first()
            && let Expr::Lit(Lit::Str(lit)) = &*arg.expr
        {
            self.push(lit, None);
        }
        call.visit_children_with(self);
    }
}

/// Every import into an event folder from a source file outside it (`src/extensions.ts`
/// aside: its imports are registrations), in path order.
pub(crate) fn scan_folder_imports(tree: &AppTree) -> Vec<FolderImport> {
    let folders = tree.event_folders();
    let mut found = Vec::new();
    for path in tree.paths() {
        let is_source = path
            .rsplit_once('.')
            .is_some_and(|(_, ext)| SOURCE_EXTENSIONS.contains(&ext));
        if !is_source || path == REGISTRY_PATH || !path.starts_with("src/") {
            continue;
        }
        let Some(text) = tree.text(path) else {
            continue;
        };
        // Only a file that names a folder can import from it.
        if !folders.iter().any(|f| text.contains(f.as_str())) {
            continue;
        }
        let Ok(parsed) = parse_module(path, text) else {
            continue;
        };
        let mut specifiers = Specifiers {
            parsed: &parsed,
            found: Vec::new(),
        };
        parsed.module.visit_with(&mut specifiers);
        for (specifier, names) in specifiers.found {
            let Some((folder, folder_segment)) = into_event_folder(path, &specifier.value) else {
                continue;
            };
            let inside = path.starts_with(&format!("{EVENTS_DIR}/{folder}/"));
            if !inside && folders.contains(&folder) {
                found.push(FolderImport {
                    path: path.to_owned(),
                    specifier,
                    folder,
                    folder_segment,
                    names,
                });
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specifiers_resolve_into_event_folders() {
        assert_eq!(
            into_event_folder(
                "src/backend/report.ts",
                "../extensions/backend/events/order-paid/helpers"
            ),
            Some(("order-paid".to_owned(), 4))
        );
        assert_eq!(
            into_event_folder(
                "src/extensions/backend/events/a/a.ts",
                "../order-paid/order-paid.ts"
            ),
            Some(("order-paid".to_owned(), 1))
        );
        assert_eq!(into_event_folder("src/a.ts", "@wix/crm"), None);
        assert_eq!(
            into_event_folder("src/a.ts", "./extensions/dashboard/x"),
            None
        );
    }

    #[test]
    fn a_rename_rewrites_the_folder_and_a_file_named_after_it() {
        let import = |value: &str, segment| FolderImport {
            path: "src/backend/report.ts".into(),
            specifier: StrLit {
                value: value.into(),
                range: 0..0,
                quote: '\'',
            },
            folder: "order-paid".into(),
            folder_segment: segment,
            names: None,
        };
        assert_eq!(
            import("../extensions/backend/events/order-paid/helpers", 4).renamed("paid"),
            "../extensions/backend/events/paid/helpers"
        );
        assert_eq!(
            import("../extensions/backend/events/order-paid/order-paid.ts", 4).renamed("paid"),
            "../extensions/backend/events/paid/paid.ts"
        );
        assert_eq!(
            import("../extensions/backend/events/order-paid/order-paid", 4).renamed("paid"),
            "../extensions/backend/events/paid/paid"
        );
    }
}
