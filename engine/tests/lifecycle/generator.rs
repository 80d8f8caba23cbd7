//! The scenarios of the lifecycle test: a starting app and 1–6 versions of its
//! `wix-events.yaml`, with the model of what each version means (which extension each entry
//! is, the id it must have).
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
//! The generator writes files and YAML; it never runs wixsync.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::LazyLock;

use proptest::prelude::*;
use proptest::sample::Index;
use uuid::Uuid;
use wixsync::tree::{EVENTS_DIR, REGISTRY_PATH};
use wixsync_schema::ExportStyle;
use wixsync_schema::catalog::{Catalog, Event};

use crate::common::fixed_ids;

/// The most entries a manifest holds; an add beyond it is skipped.
const MAX_ENTRIES: usize = 8;
/// Fresh ids reserved per version: version `v` passes `ids[v * IDS_PER_VERSION..]`, so that a
/// new extension never reuses the id an earlier version gave another one.
pub const IDS_PER_VERSION: usize = 16;

/// Catalog events whose webhook slug is theirs alone (two entries may not share a slug).
pub static EVENTS: LazyLock<Vec<&'static Event>> = LazyLock::new(|| {
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
pub enum ChainShape {
    /// `export default app().use(myPage)`
    OneLine,
    /// `export default app()` then `  .use(myPage)` on its own line
    MultiLine,
    /// `const builder = app().use(myPage)` then `export default builder`
    ConstBuilder,
}

#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub chain: ChainShape,
    pub semicolons: bool,
    pub double_quotes: bool,
    /// Import specifiers end in `.ts` (else they have no suffix).
    pub ts_suffix: bool,
    pub crlf: bool,
    pub final_newline: bool,
    /// A byte-order mark at the start of `src/extensions.ts`.
    pub bom: bool,
    /// A comment line before the chain and a comment after its first link.
    pub comments: bool,
    /// The app's `.prettierrc`, which shapes new files.
    pub prettierrc: Option<&'static str>,
    /// A hand-written event extension the app has from the start, exported this way.
    pub legacy: Option<ExportStyle>,
}

/// The hand-written extension of [`Shape::legacy`]: its folder, id and event. Its files
/// follow another style than wixsync's (double quotes, no semicolons, four spaces).
pub const LEGACY_FOLDER: &str = "legacy-contact";
const LEGACY_ID: &str = "5b1f3c9e-2d4a-4e6b-8c7d-9e0f1a2b3c4d";
const LEGACY_EVENT: (&str, &str, &str) = ("crm", "contacts", "onContactCreated");

pub fn legacy_event() -> &'static Event {
    let (package, namespace, function) = LEGACY_EVENT;
    Catalog::get().event(package, namespace, function).unwrap()
}

/// The comments of [`Shape::comments`].
pub const COMMENT_LINE: &str = "// Every extension of the app, registered once.";
pub const TRAILING_COMMENT: &str = "// the dashboard page";

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
    pub fn import_lines(&self) -> [String; 2] {
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
    pub fn export_builder_line(&self) -> Option<String> {
        (self.chain == ChainShape::ConstBuilder)
            .then(|| format!("export default builder{}", self.semi()))
    }

    pub fn extensions_ts(&self) -> String {
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
    pub fn files(&self) -> Vec<(String, String)> {
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
pub struct ModelEntry {
    pub folder: String,
    pub event: &'static Event,
    /// Which extension this is: kept through renames and event changes, new for an add.
    pub lineage: usize,
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
pub struct Version {
    pub entries: Vec<ModelEntry>,
    /// What the ops did, for the failure report.
    pub ops: Vec<String>,
    pub yaml: String,
}

#[derive(Clone)]
pub struct Scenario {
    pub shape: Shape,
    pub versions: Vec<Version>,
    /// The id of every lineage: the fresh id of the version and index that created it.
    pub ids: Vec<Uuid>,
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
pub fn scenario(named: bool) -> impl Strategy<Value = Scenario> {
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
