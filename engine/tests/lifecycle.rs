//! The lifecycle property test: random sequences of manifest versions, applied one after
//! another to a generated app, must each leave the app exactly as the manifest says.
//!
//! A scenario is a starting app and 1–6 versions of `wix-events.yaml`.
//!
//! - **The app** is the minimal Wix CLI app (a dashboard page registered in
//!   `src/extensions.ts`, a `package.json`) in a random shape: a one-line chain, a multi-line
//!   chain or `const builder = app()...; export default builder`; with or without semicolons;
//!   single or double quotes; specifiers with or without `.ts`; LF or CRLF; with or without a
//!   final line end, a byte-order mark, comments around the chain, a `.prettierrc`; and
//!   sometimes a hand-written event extension (`legacy-contact`, default or named export, in
//!   another code style than wixsync's), which the first version may keep, rename or remove.
//! - **Each version** derives from the previous one by one to four random ops: add an entry
//!   (a new folder and a catalog event no extension uses), rename one (with `renamed-from:
//!   [old]`, or without it so that rule 3 finds it by its event or rule 2 by a pinned `id`),
//!   rename and re-point one at once (with `renamed-from`), point one at another event (of
//!   the same namespace, or of another package), remove one, reorder the entries. Entries are
//!   written in the short or the long form at random (the long form sometimes pins the id the
//!   extension has), every event in full (`package.namespace.function`, no short forms) and
//!   only events whose webhook slug no other event shares. The ops keep the manifest
//!   unambiguous about which extension each entry means: one op per extension and version,
//!   new folder names that no folder and no `renamed-from` holds, new events that no
//!   extension subscribes to. One property uses `export-style: named`, the other leaves the
//!   style out or says `default`.
//!
//! After each version is applied (`reconcile` without `--force`, which must find no
//! conflict, then `commit`), the test checks:
//! 1. the folders under `src/extensions/backend/events/` are exactly the manifest's keys;
//! 2. each is registered exactly once in `src/extensions.ts` (one import, one `.use`), no
//!    registration dangles, and the dashboard page's `.use(myPage)` is there once;
//! 3. every extension keeps the UUID it had, through renames and event changes, and a new one
//!    gets the fresh id of its manifest index (fixed ids, distinct per version);
//! 4. a second `reconcile` plans nothing and finds no conflict;
//! 5. every TypeScript file under `src/` parses;
//! 6. every handler subscribes to its entry's event;
//! 7. `package.json` lists the `@wix/*` package of every entry's event;
//! 8. what names no event extension stays: the `app` and `myPage` import lines, `export
//!    default builder`, the comments (once each), the byte-order mark, and no blank line
//!    appears inside the chain.
//!
//! **Git.** Outside a git repository wixsync deletes only files byte-identical to what it
//! would generate, and a rename or an event change edits the handler, so removing such an
//! extension later would rightly be a conflict (and the hand-written one is never
//! byte-identical). So the app is a git repository: `git init` in the temporary folder with
//! a local `user.name`/`user.email` (global and system git config ignored), and a commit
//! after the start and after every apply. A removal then deletes committed, clean files,
//! which git can restore, and needs no `--force`; this also exercises wixsync's git path. The
//! `git` command must be installed.
//!
//! **Persistence.** `failure_persistence` is `None`: proptest writes no
//! `proptest-regressions/` file anywhere. A failure prints the minimal scenario (the start
//! shape and `src/extensions.ts`, then each version's ops and YAML): turn it into a case
//! under `cases/`.
//!
//! 28 cases per property by default (about 4–6 s for both on 2 cores in a debug build);
//! `PROPTEST_CASES=500 cargo test -p wixsync --test lifecycle` runs more.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::sync::LazyLock;

use common::{fixed_ids, write_files};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;
use proptest::test_runner::Config;
use uuid::Uuid;
use wixsync::commit::commit;
use wixsync::reconcile::{Options, reconcile};
use wixsync::render::{Palette, render_steps};
use wixsync::scan::{LinkArg, scan};
use wixsync::tree::{AppTree, EVENTS_DIR, REGISTRY_PATH};
use wixsync_schema::catalog::{Catalog, Event};
use wixsync_schema::diagnostic::render_plain;
use wixsync_schema::{EventRef, ExportStyle};

/// The most entries a manifest holds; an add beyond it is skipped.
const MAX_ENTRIES: usize = 8;
/// Fresh ids reserved per version: version `v` passes `ids[v * IDS_PER_VERSION..]`, so that a
/// new extension never reuses the id an earlier version gave another one.
const IDS_PER_VERSION: usize = 16;

/// Catalog events whose webhook slug is theirs alone (two entries may not share a slug).
static EVENTS: LazyLock<Vec<&'static Event>> = LazyLock::new(|| {
    let catalog = Catalog::get();
    catalog
        .events()
        .iter()
        .filter(|e| catalog.by_slug(e.slug).len() == 1)
        .collect()
});

// ---------------------------------------------------------------------------------------------
// The starting app

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChainShape {
    /// `export default app().use(myPage)`
    OneLine,
    /// `export default app()` then `  .use(myPage)` on its own line
    MultiLine,
    /// `const builder = app().use(myPage)` then `export default builder`
    ConstBuilder,
}

#[derive(Debug, Clone, Copy)]
struct Shape {
    chain: ChainShape,
    semicolons: bool,
    double_quotes: bool,
    /// Import specifiers end in `.ts` (else they have no suffix).
    ts_suffix: bool,
    crlf: bool,
    final_newline: bool,
    /// A byte-order mark at the start of `src/extensions.ts`.
    bom: bool,
    /// A comment line before the chain and a comment after its first link.
    comments: bool,
    /// The app's `.prettierrc`, which shapes new files.
    prettierrc: Option<&'static str>,
    /// A hand-written event extension the app has from the start, exported this way.
    legacy: Option<ExportStyle>,
}

/// The hand-written extension of [`Shape::legacy`]: its folder, id and event. Its files
/// follow another style than wixsync's (double quotes, no semicolons, four spaces).
const LEGACY_FOLDER: &str = "legacy-contact";
const LEGACY_ID: &str = "5b1f3c9e-2d4a-4e6b-8c7d-9e0f1a2b3c4d";
const LEGACY_EVENT: (&str, &str, &str) = ("crm", "contacts", "onContactCreated");

fn legacy_event() -> &'static Event {
    let (package, namespace, function) = LEGACY_EVENT;
    Catalog::get().event(package, namespace, function).unwrap()
}

/// The comments of [`Shape::comments`].
const COMMENT_LINE: &str = "// Every extension of the app, registered once.";
const TRAILING_COMMENT: &str = "// the dashboard page";

const PAGE_BUILDER: &str = "import { extensions } from '@wix/astro/builders';

export default extensions.dashboardPage({
  id: 'c5d2a1f0-3b4e-4c6d-8e7f-9a0b1c2d3e4f',
  title: 'Loyalty',
  routePath: 'loyalty',
  component: './extensions/dashboard/pages/my-page/my-page.tsx',
});
";

const PAGE_COMPONENT: &str = "import type { FC } from 'react';

const LoyaltyPage: FC = () => {
  return <div>Loyalty members</div>;
};

export default LoyaltyPage;
";

const PACKAGE_JSON: &str = r#"{
  "name": "acme-loyalty",
  "version": "0.0.1",
  "private": true,
  "type": "module",
  "dependencies": {
    "@wix/astro": "^2.74.0",
    "@wix/dashboard": "^1.3.21",
    "react": "18.3.1"
  },
  "devDependencies": {
    "@wix/cli": "^1.1.247",
    "typescript": "^5.9.3"
  }
}
"#;

impl Shape {
    fn eol(&self) -> &'static str {
        if self.crlf { "\r\n" } else { "\n" }
    }

    /// The import lines of `src/extensions.ts`, each with its line end.
    fn import_lines(&self) -> [String; 2] {
        let (s, q, eol) = (self.semi(), self.quote(), self.eol());
        let suffix = if self.ts_suffix { ".ts" } else { "" };
        [
            format!("import {{ app }} from {q}@wix/astro/builders{q}{s}{eol}"),
            format!(
                "import myPage from {q}./extensions/dashboard/pages/my-page/my-page.extension{suffix}{q}{s}{eol}"
            ),
        ]
    }

    fn semi(&self) -> &'static str {
        if self.semicolons { ";" } else { "" }
    }

    /// The local name the registry binds the hand-written builder to.
    fn legacy_local(&self) -> Option<&'static str> {
        self.legacy.map(|export| match export {
            ExportStyle::Default => "legacyContact",
            ExportStyle::Named => "eventLegacyContact",
        })
    }

    /// `package.json`; with the hand-written extension, it lists the package its handler
    /// imports (wixsync adds packages for the handlers it writes or re-points only).
    fn package_json(&self) -> String {
        match self.legacy {
            None => PACKAGE_JSON.to_owned(),
            Some(_) => PACKAGE_JSON.replace(
                "    \"@wix/dashboard\"",
                "    \"@wix/crm\": \"^1.0.0\",\n    \"@wix/dashboard\"",
            ),
        }
    }

    /// The hand-written extension's builder and handler.
    fn legacy_files(&self) -> Vec<(String, String)> {
        let Some(export) = self.legacy else {
            return Vec::new();
        };
        let head = match export {
            ExportStyle::Default => "export default",
            ExportStyle::Named => "export const eventLegacyContact =",
        };
        let (package, namespace, function) = LEGACY_EVENT;
        let dir = format!("{EVENTS_DIR}/{LEGACY_FOLDER}");
        vec![
            (
                format!("{dir}/{LEGACY_FOLDER}.extension.ts"),
                format!(
                    "import {{ extensions }} from \"@wix/astro/builders\"\n\n{head} extensions.event({{\n    id: \"{LEGACY_ID}\",\n    source: \"./extensions/backend/events/{LEGACY_FOLDER}/{LEGACY_FOLDER}.ts\",\n}})\n"
                ),
            ),
            (
                format!("{dir}/{LEGACY_FOLDER}.ts"),
                format!(
                    "import {{ {namespace} }} from \"@wix/{package}\"\n\n/** Written by hand. */\nexport default {namespace}.{function}(async (event) => {{\n    // Greet the new contact.\n    console.log(\"hello\", event.metadata.instanceId)\n}})\n"
                ),
            ),
        ]
    }

    fn quote(&self) -> char {
        if self.double_quotes { '"' } else { '\'' }
    }

    /// `export default builder` in the `const builder = app()...` shape, without line end.
    fn export_builder_line(&self) -> Option<String> {
        (self.chain == ChainShape::ConstBuilder)
            .then(|| format!("export default builder{}", self.semi()))
    }

    fn extensions_ts(&self) -> String {
        let (s, eol) = (self.semi(), self.eol());
        let mut text = if self.bom { "\u{feff}" } else { "" }.to_owned();
        text.push_str(&self.import_lines().concat());
        if let (Some(export), Some(local)) = (self.legacy, self.legacy_local()) {
            let binding = match export {
                ExportStyle::Default => local.to_owned(),
                ExportStyle::Named => format!("{{ {local} }}"),
            };
            let (s, q) = (self.semi(), self.quote());
            let suffix = if self.ts_suffix { ".ts" } else { "" };
            text.push_str(&format!(
                "import {binding} from {q}./extensions/backend/events/{LEGACY_FOLDER}/{LEGACY_FOLDER}.extension{suffix}{q}{s}{eol}"
            ));
        }
        text.push_str(eol);
        let c = if self.comments {
            text.push_str(COMMENT_LINE);
            text.push_str(eol);
            format!(" {TRAILING_COMMENT}")
        } else {
            String::new()
        };
        let legacy = self
            .legacy_local()
            .map(|local| format!(".use({local})"))
            .unwrap_or_default();
        text.push_str(&match self.chain {
            ChainShape::OneLine => format!("export default app().use(myPage){legacy}{s}{c}{eol}"),
            ChainShape::MultiLine if legacy.is_empty() => {
                format!("export default app(){eol}  .use(myPage){s}{c}{eol}")
            }
            ChainShape::MultiLine => {
                format!("export default app(){eol}  .use(myPage){c}{eol}  {legacy}{s}{eol}")
            }
            ChainShape::ConstBuilder => format!(
                "const builder = app().use(myPage){legacy}{s}{c}{eol}{eol}{}{eol}",
                self.export_builder_line().unwrap()
            ),
        });
        if !self.final_newline {
            text.truncate(text.len() - eol.len());
        }
        text
    }

    /// The app's files, with this shape's line ends.
    fn files(&self) -> Vec<(String, String)> {
        let eol = |text: &str| text.replace('\n', self.eol());
        let mut files = vec![
            (REGISTRY_PATH.to_owned(), self.extensions_ts()),
            (
                "src/extensions/dashboard/pages/my-page/my-page.extension.ts".to_owned(),
                eol(PAGE_BUILDER),
            ),
            (
                "src/extensions/dashboard/pages/my-page/my-page.tsx".to_owned(),
                eol(PAGE_COMPONENT),
            ),
            ("package.json".to_owned(), eol(&self.package_json())),
        ];
        files.extend(
            self.legacy_files()
                .into_iter()
                .map(|(path, text)| (path, eol(&text))),
        );
        if let Some(prettierrc) = self.prettierrc {
            files.push((".prettierrc".to_owned(), prettierrc.to_owned()));
        }
        files
    }
}

// ---------------------------------------------------------------------------------------------
// The manifest versions

/// One entry of a manifest version, as the model tracks it.
#[derive(Debug, Clone)]
struct ModelEntry {
    folder: String,
    event: &'static Event,
    /// Which extension this is: kept through renames and event changes, new for an add.
    lineage: usize,
    /// Earlier folder names; written in the long form (always right after a rename that
    /// relies on them).
    renamed_from: Vec<String>,
}

/// How one entry is written in one version.
#[derive(Debug, Clone, Copy, Default)]
struct Form {
    long: bool,
    renamed_from: bool,
    pin_id: bool,
}

#[derive(Clone)]
struct Version {
    entries: Vec<ModelEntry>,
    /// What the ops did, for the failure report.
    ops: Vec<String>,
    yaml: String,
}

#[derive(Clone)]
struct Scenario {
    shape: Shape,
    versions: Vec<Version>,
    /// The id of every lineage: the fresh id of the version and index that created it.
    ids: Vec<Uuid>,
}

impl fmt::Debug for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "start: {:?}", self.shape)?;
        writeln!(f, "src/extensions.ts: {:?}", self.shape.extensions_ts())?;
        for (v, version) in self.versions.iter().enumerate() {
            writeln!(f, "--- version {} ({})", v + 1, version.ops.join("; "))?;
            f.write_str(&version.yaml)?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy)]
enum OpKind {
    Add,
    Rename,
    RenameAndChangeEvent,
    ChangeEvent,
    Remove,
    Reorder,
}

/// The random choices behind one op; interpreted against the manifest it applies to.
#[derive(Debug, Clone)]
struct OpSeed {
    kind: OpKind,
    target: Index,
    first_word: Index,
    second_word: Option<Index>,
    event: Index,
    /// Change event: to another package rather than within the namespace.
    other_package: bool,
    /// Rename: say so with `renamed-from` (else rule 3 or a pinned id finds it).
    renamed_from: bool,
    /// Reorder: a Fisher–Yates shuffle's choices.
    shuffle: Vec<Index>,
}

#[derive(Debug, Clone)]
struct VersionSeed {
    ops: Vec<OpSeed>,
    /// (long form, pin the id) per manifest position.
    forms: Vec<(bool, bool)>,
    /// `events: {}` rather than `events:` when there is no entry.
    empty_as_braces: bool,
}

/// Words for folder names. `app`, `my-page` and `delete` name bindings the registry already
/// has or cannot have: wixsync must pick another local name.
const FIRST_WORDS: &[&str] = &[
    "order", "contact", "cart", "app", "my", "a", "x1", "booking", "delete", "sync",
];
const SECOND_WORDS: &[&str] = &["created", "paid", "page", "2", "v2", "b", "updated"];

fn op_seed() -> impl Strategy<Value = OpSeed> {
    let kind = prop_oneof![
        3 => Just(OpKind::Add),
        2 => Just(OpKind::Rename),
        1 => Just(OpKind::RenameAndChangeEvent),
        2 => Just(OpKind::ChangeEvent),
        2 => Just(OpKind::Remove),
        1 => Just(OpKind::Reorder),
    ];
    (
        kind,
        any::<Index>(),
        any::<Index>(),
        proptest::option::of(any::<Index>()),
        any::<Index>(),
        proptest::bool::weighted(0.3),
        any::<bool>(),
        proptest::collection::vec(any::<Index>(), MAX_ENTRIES),
    )
        .prop_map(
            |(
                kind,
                target,
                first_word,
                second_word,
                event,
                other_package,
                renamed_from,
                shuffle,
            )| OpSeed {
                kind,
                target,
                first_word,
                second_word,
                event,
                other_package,
                renamed_from,
                shuffle,
            },
        )
}

fn version_seed() -> impl Strategy<Value = VersionSeed> {
    (
        proptest::collection::vec(op_seed(), 1..=4),
        proptest::collection::vec(any::<(bool, bool)>(), MAX_ENTRIES),
        any::<bool>(),
    )
        .prop_map(|(ops, forms, empty_as_braces)| VersionSeed {
            ops,
            forms,
            empty_as_braces,
        })
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        prop_oneof![
            Just(ChainShape::OneLine),
            Just(ChainShape::MultiLine),
            Just(ChainShape::ConstBuilder)
        ],
        any::<bool>(),
        proptest::bool::weighted(0.2),
        any::<bool>(),
        proptest::bool::weighted(0.3),
        proptest::bool::weighted(0.8),
        proptest::bool::weighted(0.15),
        proptest::bool::weighted(0.3),
        prop_oneof![
            6 => Just(None),
            1 => Just(Some("{ \"semi\": false, \"singleQuote\": false }\n")),
            1 => Just(Some("useTabs: true\n")),
            1 => Just(Some("tabWidth: 4\nsemi: true\n")),
        ],
        prop_oneof![
            2 => Just(None),
            1 => Just(Some(ExportStyle::Default)),
            1 => Just(Some(ExportStyle::Named)),
        ],
    )
        .prop_map(
            |(
                chain,
                semicolons,
                double_quotes,
                ts_suffix,
                crlf,
                final_newline,
                bom,
                comments,
                prettierrc,
                legacy,
            )| Shape {
                chain,
                semicolons,
                double_quotes,
                ts_suffix,
                crlf,
                final_newline,
                bom,
                comments,
                prettierrc,
                legacy,
            },
        )
}

/// A scenario whose manifests say `export-style: named`, or that leave the style out or say
/// `default`.
fn scenario(named: bool) -> impl Strategy<Value = Scenario> {
    let style = if named {
        Just(Some("named")).boxed()
    } else {
        prop_oneof![3 => Just(None), 1 => Just(Some("default"))].boxed()
    };
    (
        shape(),
        style,
        proptest::collection::vec(version_seed(), 1..=6),
    )
        .prop_map(|(shape, style, seeds)| build_scenario(shape, style, &seeds))
}

/// Derives the versions from their seeds.
fn build_scenario(shape: Shape, style: Option<&str>, seeds: &[VersionSeed]) -> Scenario {
    let all_ids = fixed_ids(IDS_PER_VERSION * seeds.len());
    let mut ids: Vec<Uuid> = Vec::new();
    let mut previous: Vec<ModelEntry> = Vec::new();
    if shape.legacy.is_some() {
        ids.push(Uuid::parse_str(LEGACY_ID).unwrap());
        previous.push(ModelEntry {
            folder: LEGACY_FOLDER.to_owned(),
            event: legacy_event(),
            lineage: 0,
            renamed_from: Vec::new(),
        });
    }
    let mut versions = Vec::new();
    for (v, seed) in seeds.iter().enumerate() {
        let mut builder = VersionBuilder {
            previous: &previous,
            entries: previous.clone(),
            touched: BTreeSet::new(),
            renamed_now: BTreeSet::new(),
            next_lineage: ids.len(),
            new_lineages: Vec::new(),
            ops: Vec::new(),
        };
        for op in &seed.ops {
            builder.apply(op);
        }
        let VersionBuilder {
            entries,
            renamed_now,
            new_lineages,
            ops,
            ..
        } = builder;
        // A new extension gets the fresh id of its index in this version.
        for lineage in new_lineages {
            let index = entries.iter().position(|e| e.lineage == lineage).unwrap();
            assert_eq!(lineage, ids.len());
            ids.push(all_ids[v * IDS_PER_VERSION + index]);
        }
        let forms: Vec<Form> = entries
            .iter()
            .zip(&seed.forms)
            .map(|(entry, &(long, pin))| {
                // A rename that relies on `renamed-from` writes it; later versions may.
                let renamed_from = !entry.renamed_from.is_empty()
                    && (long || renamed_now.contains(&entry.lineage));
                // A pinned id is known only for an extension an earlier version created.
                let pin_id = long && pin && previous.iter().any(|p| p.lineage == entry.lineage);
                Form {
                    long: long || renamed_from || pin_id,
                    renamed_from,
                    pin_id,
                }
            })
            .collect();
        let yaml = manifest_yaml(style, &entries, &forms, &ids, seed.empty_as_braces);
        versions.push(Version {
            entries: entries.clone(),
            ops,
            yaml,
        });
        previous = entries;
    }
    Scenario {
        shape,
        versions,
        ids,
    }
}

struct VersionBuilder<'a> {
    previous: &'a [ModelEntry],
    entries: Vec<ModelEntry>,
    /// Lineages an op changed in this version: one op per extension and version.
    touched: BTreeSet<usize>,
    /// Lineages renamed in this version that rely on `renamed-from` or a pin to be found.
    renamed_now: BTreeSet<usize>,
    next_lineage: usize,
    new_lineages: Vec<usize>,
    ops: Vec<String>,
}

impl VersionBuilder<'_> {
    /// Folder names a new or renamed entry may not take: the app's folders, this version's
    /// keys, and every `renamed-from` name.
    fn taken_names(&self) -> BTreeSet<String> {
        self.previous
            .iter()
            .chain(&self.entries)
            .flat_map(|e| std::iter::once(e.folder.clone()).chain(e.renamed_from.iter().cloned()))
            .collect()
    }

    /// Events a new or re-pointed entry may not take: the app's and this version's.
    fn used_events(&self) -> BTreeSet<&'static Event> {
        self.previous
            .iter()
            .chain(&self.entries)
            .map(|e| e.event)
            .collect()
    }

    fn fresh_name(&self, seed: &OpSeed) -> String {
        let mut name = seed.first_word.get(FIRST_WORDS).to_string();
        if let Some(second) = &seed.second_word {
            name = format!("{name}-{}", second.get(SECOND_WORDS));
        }
        let taken = self.taken_names();
        let mut candidate = name.clone();
        let mut n = 2;
        while taken.contains(&candidate) {
            candidate = format!("{name}-{n}");
            n += 1;
        }
        candidate
    }

    /// An unused event: within `event`'s namespace when `same_namespace` is given and has one
    /// left, else one of another package (or any, for an add).
    fn fresh_event(
        &self,
        seed: &OpSeed,
        current: Option<&'static Event>,
    ) -> Option<&'static Event> {
        let used = self.used_events();
        let unused = |e: &&&'static Event| !used.contains(**e);
        let pick = |list: Vec<&'static Event>| -> Option<&'static Event> {
            (!list.is_empty()).then(|| *seed.event.get(&list))
        };
        match current {
            None => pick(EVENTS.iter().filter(unused).copied().collect()),
            Some(current) => {
                let same: Vec<&'static Event> = EVENTS
                    .iter()
                    .filter(unused)
                    .filter(|e| e.package == current.package && e.namespace == current.namespace)
                    .copied()
                    .collect();
                let other: Vec<&'static Event> = EVENTS
                    .iter()
                    .filter(unused)
                    .filter(|e| e.package != current.package)
                    .copied()
                    .collect();
                if seed.other_package || same.is_empty() {
                    pick(other)
                } else {
                    pick(same)
                }
            }
        }
    }

    /// Positions of entries an earlier version created and no op of this one touched.
    fn targets(&self) -> Vec<usize> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                !self.touched.contains(&e.lineage)
                    && self.previous.iter().any(|p| p.lineage == e.lineage)
            })
            .map(|(i, _)| i)
            .collect()
    }

    fn apply(&mut self, seed: &OpSeed) {
        let targets = self.targets();
        let target = (!targets.is_empty()).then(|| *seed.target.get(&targets));
        match (seed.kind, target) {
            (OpKind::Reorder, _) if self.entries.len() > 1 => {
                for i in (1..self.entries.len()).rev() {
                    let j = seed.shuffle[i].index(i + 1);
                    self.entries.swap(i, j);
                }
                let order: Vec<&str> = self.entries.iter().map(|e| e.folder.as_str()).collect();
                self.ops.push(format!("reorder to [{}]", order.join(", ")));
            }
            (OpKind::Rename, Some(i)) => {
                let name = self.fresh_name(seed);
                let entry = &mut self.entries[i];
                let old = std::mem::replace(&mut entry.folder, name.clone());
                let how = if seed.renamed_from {
                    entry.renamed_from.push(old.clone());
                    self.renamed_now.insert(entry.lineage);
                    "with renamed-from"
                } else {
                    "by event or pin"
                };
                self.touched.insert(entry.lineage);
                self.ops.push(format!("rename {old} -> {name} ({how})"));
            }
            (OpKind::RenameAndChangeEvent, Some(i)) => {
                let name = self.fresh_name(seed);
                let Some(event) = self.fresh_event(seed, Some(self.entries[i].event)) else {
                    return;
                };
                let entry = &mut self.entries[i];
                let old = std::mem::replace(&mut entry.folder, name.clone());
                let old_event = std::mem::replace(&mut entry.event, event);
                entry.renamed_from.push(old.clone());
                self.renamed_now.insert(entry.lineage);
                self.touched.insert(entry.lineage);
                self.ops.push(format!(
                    "rename {old} -> {name} with renamed-from and change event {old_event} -> {event}"
                ));
            }
            (OpKind::ChangeEvent, Some(i)) => {
                let Some(event) = self.fresh_event(seed, Some(self.entries[i].event)) else {
                    return;
                };
                let entry = &mut self.entries[i];
                let old = std::mem::replace(&mut entry.event, event);
                self.touched.insert(entry.lineage);
                self.ops.push(format!(
                    "change event of {}: {old} -> {event}",
                    entry.folder
                ));
            }
            (OpKind::Remove, Some(i)) => {
                let entry = self.entries.remove(i);
                self.touched.insert(entry.lineage);
                self.ops.push(format!("remove {}", entry.folder));
            }
            // Anything that has nothing to work on adds an entry instead.
            _ => {
                if self.entries.len() >= MAX_ENTRIES {
                    return;
                }
                let Some(event) = self.fresh_event(seed, None) else {
                    return;
                };
                let folder = self.fresh_name(seed);
                let lineage = self.next_lineage;
                self.next_lineage += 1;
                self.new_lineages.push(lineage);
                self.touched.insert(lineage);
                self.ops.push(format!("add {folder}: {event}"));
                let at = seed.target.index(self.entries.len() + 1);
                self.entries.insert(
                    at,
                    ModelEntry {
                        folder,
                        event,
                        lineage,
                        renamed_from: Vec::new(),
                    },
                );
            }
        }
    }
}

fn manifest_yaml(
    export_style: Option<&str>,
    entries: &[ModelEntry],
    forms: &[Form],
    ids: &[Uuid],
    empty_as_braces: bool,
) -> String {
    let mut yaml = String::from("version: 1\n");
    if let Some(style) = export_style {
        yaml.push_str(&format!("export-style: {style}\n"));
    }
    if entries.is_empty() {
        yaml.push_str(if empty_as_braces {
            "events: {}\n"
        } else {
            "events:\n"
        });
        return yaml;
    }
    yaml.push_str("events:\n");
    for (entry, form) in entries.iter().zip(forms) {
        if !form.long {
            yaml.push_str(&format!("  {}: {}\n", entry.folder, entry.event));
            continue;
        }
        yaml.push_str(&format!(
            "  {}:\n    event: {}\n",
            entry.folder, entry.event
        ));
        if form.renamed_from {
            yaml.push_str(&format!(
                "    renamed-from: [{}]\n",
                entry.renamed_from.join(", ")
            ));
        }
        if form.pin_id {
            yaml.push_str(&format!("    id: {}\n", ids[entry.lineage]));
        }
    }
    yaml
}

// ---------------------------------------------------------------------------------------------
// Running a scenario

fn git(dir: &Path, args: &[&str]) {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git is installed");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn git_commit(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "--allow-empty", "-m", message]);
}

/// Every `.ts`/`.tsx` file under `dir`, relative to `root`, `/`-separated.
fn typescript_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            typescript_files(root, &path, out);
        } else if path
            .extension()
            .is_some_and(|ext| ext == "ts" || ext == "tsx")
        {
            let rel = path.strip_prefix(root).unwrap();
            let rel: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push(rel.join("/"));
        }
    }
}

fn run_scenario(scenario: &Scenario) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let files = scenario.shape.files();
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    write_files(root, &files);
    git(root, &["init", "-q"]);
    git(root, &["config", "user.name", "wixsync lifecycle test"]);
    git(root, &["config", "user.email", "lifecycle@wixsync.invalid"]);
    git(root, &["config", "commit.gpgsign", "false"]);
    git_commit(root, "start");
    let all_ids = fixed_ids(IDS_PER_VERSION * scenario.versions.len());
    for (v, version) in scenario.versions.iter().enumerate() {
        let at = format!("version {}", v + 1);
        fs::write(root.join("wix-events.yaml"), &version.yaml).unwrap();
        let options = Options {
            manifest: None,
            force: false,
            fresh_ids: Some(all_ids[v * IDS_PER_VERSION..(v + 1) * IDS_PER_VERSION].to_vec()),
        };
        let reconciliation = reconcile(root, &options).map_err(|failure| {
            TestCaseError::fail(format!(
                "{at}: reconcile failed:\n{}",
                render_plain(&failure.diagnostics(), 100)
            ))
        })?;
        prop_assert!(
            reconciliation.plan.conflicts.is_empty(),
            "{at}: conflicts:\n{}",
            render_plain(&reconciliation.diagnostics(), 100)
        );
        commit(root, &reconciliation.changeset)
            .map_err(|e| TestCaseError::fail(format!("{at}: commit failed: {e}")))?;
        git_commit(root, &at);
        check_app(root, scenario, version, &options, &at)?;
    }
    Ok(())
}

fn check_app(
    root: &Path,
    scenario: &Scenario,
    version: &Version,
    options: &Options,
    at: &str,
) -> Result<(), TestCaseError> {
    // 1. The folders are the manifest's keys.
    let wanted: BTreeSet<String> = version.entries.iter().map(|e| e.folder.clone()).collect();
    let folders: BTreeSet<String> = match fs::read_dir(root.join(EVENTS_DIR)) {
        Ok(entries) => entries
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => BTreeSet::new(),
    };
    prop_assert_eq!(&folders, &wanted, "{}: the event folders", at);

    let tree = AppTree::load(root).unwrap();
    let scanned = scan(&tree)
        .map_err(|errors| TestCaseError::fail(format!("{at}: scan failed: {errors:?}")))?;
    let registry = scanned
        .registry
        .as_ref()
        .ok_or_else(|| TestCaseError::fail(format!("{at}: no {REGISTRY_PATH}")))?;
    let registry_text = &registry.text;
    prop_assert!(
        scanned.dangling.is_empty(),
        "{}: dangling registrations {:?} in\n{}",
        at,
        scanned.dangling,
        registry_text
    );
    let page_links = registry
        .chain
        .links
        .iter()
        .filter(|l| l.arg == LinkArg::Ident("myPage".to_owned()))
        .count();
    prop_assert_eq!(
        page_links,
        1,
        "{}: `.use(myPage)` in\n{}",
        at,
        registry_text
    );
    // 8. What names no event extension stays as it was: the imports, the `export default
    // builder` line, and no blank line inside the chain.
    let shape = &scenario.shape;
    for line in shape
        .import_lines()
        .iter()
        .chain(&shape.export_builder_line())
    {
        prop_assert!(
            registry_text.contains(line.as_str()),
            "{}: the line {:?} did not survive in\n{}",
            at,
            line,
            registry_text
        );
    }
    if shape.comments {
        for comment in [COMMENT_LINE, TRAILING_COMMENT] {
            prop_assert_eq!(
                registry_text.matches(comment).count(),
                1,
                "{}: the comment {:?} in\n{}",
                at,
                comment,
                registry_text
            );
        }
    }
    prop_assert_eq!(
        registry_text.starts_with('\u{feff}'),
        shape.bom,
        "{}: the byte-order mark",
        at
    );
    let chain_text = &registry_text[registry.chain.range.clone()];
    prop_assert!(
        !chain_text.replace('\r', "").contains("\n\n"),
        "{}: a blank line inside the chain {:?}",
        at,
        chain_text
    );
    let event_imports = registry
        .imports
        .iter()
        .filter(|i| i.specifier.value.contains("extensions/backend/events/"))
        .count();
    prop_assert_eq!(
        event_imports,
        version.entries.len(),
        "{}: imports of event builders in\n{}",
        at,
        registry_text
    );

    let package_json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(root.join("package.json")).unwrap()).unwrap();
    for entry in &version.entries {
        let folder = &entry.folder;
        let extension = scanned
            .extension(folder)
            .ok_or_else(|| TestCaseError::fail(format!("{at}: scan has no `{folder}`")))?;
        let builder = extension
            .builder
            .as_ref()
            .ok_or_else(|| TestCaseError::fail(format!("{at}: `{folder}` has no builder")))?;
        // 2. Registered exactly once.
        let registration = registry.registration(&builder.path, builder.export.name());
        let links = registration.as_ref().map_or(0, |r| r.links.len());
        prop_assert_eq!(
            links,
            1,
            "{}: `.use` links of `{}` in\n{}",
            at,
            folder,
            registry_text
        );
        // 3. The id it was created with.
        let expected_id = scenario.ids[entry.lineage].to_string();
        prop_assert_eq!(
            extension.id(),
            Some(expected_id.as_str()),
            "{}: the id of `{}`",
            at,
            folder
        );
        // 6. The manifest's event.
        let expected_event = EventRef::from(entry.event);
        prop_assert_eq!(
            extension.event(),
            Some(&expected_event),
            "{}: the event of `{}`",
            at,
            folder
        );
        // 7. Its package is a dependency.
        let package = entry.event.npm_package();
        prop_assert!(
            package_json["dependencies"].get(&package).is_some(),
            "{}: package.json lacks {} for `{}`",
            at,
            package,
            folder
        );
    }

    // 5. Every TypeScript file parses.
    let mut sources = Vec::new();
    typescript_files(root, &root.join("src"), &mut sources);
    for path in &sources {
        let text = fs::read_to_string(root.join(path)).unwrap();
        let tree = AppTree::from_files([(path.clone(), text)]);
        if let Err(errors) = scan(&tree) {
            return Err(TestCaseError::fail(format!(
                "{at}: {path} does not parse: {errors:?}"
            )));
        }
    }

    // 4. Nothing left to do.
    let again = reconcile(root, options).map_err(|failure| {
        TestCaseError::fail(format!(
            "{at}: the second reconcile failed:\n{}",
            render_plain(&failure.diagnostics(), 100)
        ))
    })?;
    if !again.plan.is_empty() {
        let mut steps = Vec::new();
        render_steps(&mut steps, &again.plan, Palette::new(false)).unwrap();
        return Err(TestCaseError::fail(format!(
            "{at}: the second plan is not empty:\n{}{}",
            String::from_utf8_lossy(&steps),
            render_plain(&again.diagnostics(), 100)
        )));
    }
    Ok(())
}

/// `cases` cases, or `PROPTEST_CASES` when set; no regressions file.
fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

// Two properties, one per export style, so that the test harness runs them on two threads.
proptest! {
    #![proptest_config(config(28))]

    #[test]
    fn default_style_versions_apply_cleanly(scenario in scenario(false)) {
        run_scenario(&scenario)?;
    }

    #[test]
    fn named_style_versions_apply_cleanly(scenario in scenario(true)) {
        run_scenario(&scenario)?;
    }
}

#[test]
fn generated_manifests_are_valid() {
    // The generator's own invariants, on a fixed seed: distinct valid folder names and
    // distinct events in every version.
    assert!(EVENTS.contains(&legacy_event()));
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for i in 0..200 {
        let scenario = scenario(i % 3 == 0)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        for version in &scenario.versions {
            let folders: BTreeSet<&str> =
                version.entries.iter().map(|e| e.folder.as_str()).collect();
            assert_eq!(folders.len(), version.entries.len(), "{scenario:?}");
            assert!(
                folders
                    .iter()
                    .all(|f| wixsync_schema::Slug::new(f).is_some()),
                "{scenario:?}"
            );
            let events: BTreeMap<&str, &str> = version
                .entries
                .iter()
                .map(|e| (e.event.slug, e.folder.as_str()))
                .collect();
            assert_eq!(events.len(), version.entries.len(), "{scenario:?}");
            wixsync_schema::Manifest::parse(&wixsync_schema::SourceFile::new(
                "wix-events.yaml",
                version.yaml.clone(),
            ))
            .unwrap_or_else(|d| panic!("{}\n{scenario:?}", render_plain(&d, 100)));
        }
    }
}
