//! `wixsync permissions [DIR]`: the permission scopes an app needs to receive the events its
//! manifest declares, for the Permissions page of the Wix app dashboard.
//!
//! Each SDK event's JSDoc names the scopes that *each* suffice to receive it (`@permissionScope`
//! and `@permissionScopeId`; WIX-FACTS.md, "Permission scopes and descriptions"), often ten or
//! more, and the catalog records them ([`wixsync_schema::catalog::Event::scopes`]). An app needs
//! one scope of each of its events' lists; [`choose_cover`] picks one short list that gives
//! every event one of its own:
//!
//! 1. as few scopes that can change data as possible (a scope that only reads, like
//!    `Read Contacts`, asks the site owner for less than `Manage Contacts`;
//!    [`wixsync_schema::catalog::Scope::is_read_only`]);
//! 2. then as few scopes in all;
//! 3. then, among equals, scopes that cover more of the app's events, then narrower scopes
//!    (ones that fewer of the catalog's events name: `Read Contacts` before
//!    `Read Members and Contacts - all read permissions`), then by id, so that the choice is
//!    the same on every run.
//!
//! That is a small weighted set cover, solved exactly by a branch-and-bound search over the
//! distinct scope lists (an app has a few dozen events at most), with a greedy answer to start
//! from and to fall back on should the search take more than [`SEARCH_BUDGET`] steps.
//!
//! This module reads nothing: [`permissions`] takes a checked manifest, and the renderers write
//! to any [`Write`]. `plan` uses [`step_scopes`] to show the scopes of each created or
//! re-pointed event.
//!
//! ```
//! use wixsync::permissions::permissions;
//! use wixsync_schema::{Manifest, SourceFile};
//!
//! let text = "version: 1\nevents:\n  post-created: blog.posts.onPostCreated\n";
//! let manifest = Manifest::parse(&SourceFile::new("wix-events.yaml", text)).unwrap();
//! let app = permissions(".", &manifest);
//! let chosen: Vec<&str> = app.cover.scopes.iter().map(|s| s.scope.id).collect();
//! assert_eq!(chosen, ["SCOPE.DC-BLOG.READ-BLOGS"]);
//! assert!(app.cover.optimal);
//! ```

use std::collections::BTreeSet;
use std::io::{self, Write};

use anstyle::Style;
use wixsync_schema::catalog::{Catalog, Scope};
use wixsync_schema::{EventRef, Manifest};

use crate::plan::Action;

/// How many search steps [`choose_cover`] takes before it settles for the best list found.
pub const SEARCH_BUDGET: usize = 200_000;

/// One manifest entry's event and the scopes that each suffice to receive it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventScopes {
    /// The entry's folder name.
    pub folder: String,
    /// The SDK event.
    pub event: EventRef,
    /// The webhook slug `@wix/astro` registers it under; `None` outside the catalog.
    pub registered_slug: Option<&'static str>,
    /// The scopes, read-only ones first, each group by name; empty when the SDK names none or
    /// the event is outside the catalog.
    pub scopes: Vec<&'static Scope>,
    /// Whether the catalog knows the event (under `unknown-events: allow` it may not).
    pub in_catalog: bool,
}

/// A scope of the chosen list, and the entries it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChosenScope {
    /// The scope.
    pub scope: &'static Scope,
    /// The folders of the entries whose event it suffices for, in manifest order.
    pub folders: Vec<String>,
}

/// The chosen list of scopes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cover {
    /// The scopes, read-only ones first, each group by name.
    pub scopes: Vec<ChosenScope>,
    /// Whether the search finished, so the list is the best by the rules of the module docs;
    /// `false` when it stopped at [`SEARCH_BUDGET`] steps with the best list found by then.
    pub optimal: bool,
}

/// The permissions of one app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPermissions {
    /// The app root as given on the command line.
    pub path: String,
    /// The manifest's name as diagnostics show it.
    pub manifest: String,
    /// Every entry, in manifest order.
    pub events: Vec<EventScopes>,
    /// One list of scopes that gives every event with scopes one of its own.
    pub cover: Cover,
}

/// Sorts scopes read-only first, then by name, then by id.
fn sort_scopes(scopes: &mut [&'static Scope]) {
    scopes.sort_by(|a, b| {
        (!a.is_read_only(), &a.name, a.id).cmp(&(!b.is_read_only(), &b.name, b.id))
    });
}

/// The scopes of one event, sorted read-only first; empty outside the catalog.
pub fn event_scopes(event: &EventRef) -> Vec<&'static Scope> {
    let catalog = Catalog::get();
    let Some(record) = event.catalog_event() else {
        return Vec::new();
    };
    let mut scopes: Vec<&'static Scope> = catalog.scopes_of(record).collect();
    sort_scopes(&mut scopes);
    scopes
}

/// The permissions of the app at `path` whose checked manifest is `manifest`.
pub fn permissions(path: &str, manifest: &Manifest) -> AppPermissions {
    let events: Vec<EventScopes> = manifest
        .entries
        .iter()
        .map(|entry| EventScopes {
            folder: entry.folder.to_string(),
            event: entry.event.clone(),
            registered_slug: entry.event.registered_slug(),
            scopes: event_scopes(&entry.event),
            in_catalog: entry.event.catalog_event().is_some(),
        })
        .collect();
    let lists: Vec<Vec<&'static str>> = events
        .iter()
        .map(|e| e.scopes.iter().map(|s| s.id).collect())
        .collect();
    let catalog = Catalog::get();
    let (chosen, optimal) = choose_cover(
        &lists,
        |id| catalog.scope(id).is_some_and(Scope::is_read_only),
        |id| {
            catalog
                .events()
                .iter()
                .filter(|e| e.scopes.contains(&id))
                .count()
        },
    );
    let mut scopes: Vec<ChosenScope> = chosen
        .iter()
        .filter_map(|id| {
            let scope = catalog.scope(id)?;
            let folders = events
                .iter()
                .filter(|e| e.scopes.iter().any(|s| s.id == *id))
                .map(|e| e.folder.clone())
                .collect();
            Some(ChosenScope { scope, folders })
        })
        .collect();
    scopes.sort_by(|a, b| {
        let key = |c: &ChosenScope| (!c.scope.is_read_only(), c.scope.name.clone(), c.scope.id);
        key(a).cmp(&key(b))
    });
    AppPermissions {
        path: path.to_owned(),
        manifest: manifest.source.name().to_owned(),
        events,
        cover: Cover { scopes, optimal },
    }
}

/// The cost of a list of scopes: (scopes that can change data, scopes in all). Lower is better.
type Cost = (usize, usize);

/// One short list of scope ids that has at least one id of every non-empty list of `lists`
/// (empty lists are skipped: nothing can cover them), chosen by the rules of the module docs,
/// and whether it is the best by those rules (`false` when the search stopped at
/// [`SEARCH_BUDGET`] steps). `read_only` says which ids only read; `breadth` how broad an id
/// is (for scopes: how many of the catalog's events name it), to prefer the narrower of two
/// otherwise equal ids. The result is sorted.
pub fn choose_cover(
    lists: &[Vec<&'static str>],
    read_only: impl Fn(&str) -> bool,
    breadth: impl Fn(&str) -> usize,
) -> (Vec<&'static str>, bool) {
    // The distinct lists, as sets, fewest choices first: branching on them first prunes most.
    let mut sets: Vec<BTreeSet<&'static str>> = lists
        .iter()
        .filter(|l| !l.is_empty())
        .map(|l| l.iter().copied().collect())
        .collect();
    sets.sort_by(|a, b| a.len().cmp(&b.len()).then(a.cmp(b)));
    sets.dedup();
    if sets.is_empty() {
        return (Vec::new(), true);
    }
    // How many lists each id is in, for the order in which choices are tried.
    let coverage = |id: &str| sets.iter().filter(|s| s.contains(id)).count();
    let rank = |id: &&'static str| {
        (
            !read_only(id),
            std::cmp::Reverse(coverage(id)),
            breadth(id),
            *id,
        )
    };
    let cost = |chosen: &[&'static str]| -> Cost {
        (
            chosen.iter().filter(|id| !read_only(id)).count(),
            chosen.len(),
        )
    };

    // Greedy: again and again the id that covers the most uncovered lists, read-only ones
    // first. Its cost bounds the search.
    let mut greedy: Vec<&'static str> = Vec::new();
    loop {
        let uncovered: Vec<&BTreeSet<&'static str>> = sets
            .iter()
            .filter(|s| !greedy.iter().any(|id| s.contains(id)))
            .collect();
        if uncovered.is_empty() {
            break;
        }
        let candidates: BTreeSet<&'static str> =
            uncovered.iter().flat_map(|s| s.iter().copied()).collect();
        let best = candidates
            .into_iter()
            .min_by_key(|id| {
                let covers = uncovered.iter().filter(|s| s.contains(id)).count();
                (!read_only(id), std::cmp::Reverse(covers), breadth(id), *id)
            })
            .expect("an uncovered list is not empty");
        greedy.push(best);
    }

    struct Search<'a, R, C> {
        sets: &'a [BTreeSet<&'static str>],
        rank: R,
        cost: C,
        best: Vec<&'static str>,
        best_cost: Cost,
        steps: usize,
    }
    impl<R, C> Search<'_, R, C>
    where
        R: Fn(&&'static str) -> (bool, std::cmp::Reverse<usize>, usize, &'static str),
        C: Fn(&[&'static str]) -> Cost,
    {
        fn run(&mut self, chosen: &mut Vec<&'static str>) {
            self.steps += 1;
            if self.steps > SEARCH_BUDGET {
                return;
            }
            let here = (self.cost)(chosen);
            if here >= self.best_cost {
                return;
            }
            let Some(open) = self
                .sets
                .iter()
                .find(|s| !chosen.iter().any(|id| s.contains(id)))
            else {
                self.best = chosen.clone();
                self.best_cost = here;
                return;
            };
            let mut options: Vec<&'static str> = open.iter().copied().collect();
            options.sort_by_key(|id| (self.rank)(id));
            for id in options {
                chosen.push(id);
                self.run(chosen);
                chosen.pop();
            }
        }
    }
    // The search keeps the first list it finds at each better cost, trying ids in rank order
    // (read-only first, then those in more lists): it starts just above greedy's cost, so
    // that a list as good as greedy's but found first in rank order is taken too.
    let greedy_cost = cost(&greedy);
    let mut search = Search {
        sets: &sets,
        rank,
        cost,
        best: Vec::new(),
        best_cost: (greedy_cost.0, greedy_cost.1 + 1),
        steps: 0,
    };
    search.run(&mut Vec::new());
    let optimal = search.steps <= SEARCH_BUDGET;
    let mut best = if search.best.is_empty() {
        greedy
    } else {
        search.best
    };
    best.sort_unstable();
    (best, optimal)
}

/// The lines `plan` shows under a step that creates an extension or points one at another
/// event, wrapped to `width` columns (the first line counts its `scopes: `), or nothing for
/// other steps and events outside the catalog:
///
/// ```text
/// scopes: any one of Read Orders, Read Stores - all read permissions, Read eCommerce - all
///         read permissions, or one of 8 that can also change data (`wixsync permissions`)
/// ```
///
/// The scopes that only read are named, as the ones to ask for; the others, which suffice as
/// well, are counted (`wixsync permissions` names them all). An event without a read-only
/// scope has all of its scopes named.
pub fn step_scopes(action: &Action, width: usize) -> Vec<String> {
    let event = match action {
        Action::Create { event, .. } => event,
        Action::ChangeEvent { to, .. } => to,
        _ => return Vec::new(),
    };
    if event.catalog_event().is_none() {
        return Vec::new();
    }
    let scopes = event_scopes(event);
    let (read, change): (Vec<&Scope>, Vec<&Scope>) = scopes.iter().partition(|s| s.is_read_only());
    let names = |list: &[&Scope]| list.iter().map(|s| &*s.name).collect::<Vec<_>>().join(", ");
    let text = match (&read[..], &change[..]) {
        ([], []) => "scopes: none (the SDK names no permission scope for this event)".to_owned(),
        ([one], []) | ([], [one]) => format!("scopes: {}", one.name),
        ([], many) => format!("scopes: any one of {}", names(many)),
        (read, []) => format!("scopes: any one of {}", names(read)),
        (read, [one]) => format!(
            "scopes: any one of {}, or {} (which can also change data)",
            names(read),
            one.name
        ),
        (read, change) => format!(
            "scopes: any one of {}, or one of {} that can also change data (`wixsync \
             permissions`)",
            names(read),
            change.len()
        ),
    };
    let options = textwrap::Options::new(width)
        .subsequent_indent("        ")
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .break_words(false);
    textwrap::wrap(&text, options)
        .into_iter()
        .map(|line| line.into_owned())
        .collect()
}

/// Writes one app's permissions for people: each event with its scopes, then the chosen list
/// and why it was chosen.
pub fn render_text(out: &mut dyn Write, app: &AppPermissions, color: bool) -> io::Result<()> {
    let bold = if color {
        Style::new().bold()
    } else {
        Style::new()
    };
    let wrap = |text: &str, indent: &str| -> Vec<String> {
        let options = textwrap::Options::new(100)
            .initial_indent(indent)
            .subsequent_indent(indent)
            .word_separator(textwrap::WordSeparator::AsciiSpace)
            .break_words(false);
        textwrap::wrap(text, options)
            .into_iter()
            .map(|l| l.into_owned())
            .collect()
    };
    let name = if app.path == "." {
        "the app in .".to_owned()
    } else {
        app.path.clone()
    };
    let count = match app.events.len() {
        1 => "1 event".to_owned(),
        n => format!("{n} events"),
    };
    writeln!(
        out,
        "{bold}Permission scopes for {name}{bold:#} ({count} in {}):",
        app.manifest
    )?;
    if app.events.is_empty() {
        writeln!(
            out,
            "\nThe manifest declares no events: no scope is needed."
        )?;
        return Ok(());
    }
    let width = app.events.iter().map(|e| e.folder.len()).max().unwrap_or(0);
    for event in &app.events {
        writeln!(out, "\n  {:<width$}  {}", event.folder, event.event)?;
        let text = if !event.in_catalog {
            "not in wixsync's catalog: its scopes are unknown; see the event's page in the Wix \
             SDK reference"
                .to_owned()
        } else {
            match &event.scopes[..] {
                [] => "the SDK names no permission scope for this event".to_owned(),
                [one] => format!("needs {} ({})", one.name, one.id),
                many => format!(
                    "any one of {} scopes: {}",
                    many.len(),
                    many.iter().map(|s| &*s.name).collect::<Vec<_>>().join(", ")
                ),
            }
        };
        for line in wrap(&text, "    ") {
            writeln!(out, "{line}")?;
        }
    }

    let chosen = &app.cover.scopes;
    if chosen.is_empty() {
        writeln!(out, "\nNo scope to add: no event of the catalog names one.")?;
        return Ok(());
    }
    let covered: BTreeSet<&str> = chosen
        .iter()
        .flat_map(|c| c.folders.iter().map(String::as_str))
        .collect();
    let scopes = match chosen.len() {
        1 => "this scope".to_owned(),
        n => format!("these {n} scopes"),
    };
    let all = if covered.len() == app.events.len() {
        "every event".to_owned()
    } else {
        format!("{} of the {} events", covered.len(), app.events.len())
    };
    writeln!(
        out,
        "\n{bold}Add {scopes} on the Permissions page of the app dashboard{bold:#}, to receive \
         {all}:"
    )?;
    let name_width = chosen.iter().map(|c| c.scope.name.len()).max().unwrap_or(0);
    let id_width = chosen.iter().map(|c| c.scope.id.len()).max().unwrap_or(0);
    for chosen in chosen {
        writeln!(
            out,
            "  {:<name_width$}  {:<id_width$}  for {}",
            chosen.scope.name,
            chosen.scope.id,
            chosen.folders.join(", ")
        )?;
    }
    let how = if app.cover.optimal {
        "Chosen as the list with the fewest scopes that can change data (a Read or View scope \
         asks the site owner for less than a Manage one), then the fewest scopes in all, then \
         the narrowest."
    } else {
        "Chosen, as far as a bounded search got, for the fewest scopes that can change data (a \
         Read or View scope asks the site owner for less than a Manage one), then the fewest \
         scopes in all; a shorter list may exist."
    };
    writeln!(out)?;
    for line in wrap(
        &format!("{how} Any other scope listed for an event works for it as well."),
        "",
    ) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// Writes the permissions of every app as one JSON document:
///
/// ```json
/// { "apps": [ {
///     "path": ".", "manifest": "wix-events.yaml",
///     "events": [ { "folder": "contact-created", "event": "crm.contacts.onContactCreated",
///                   "registered_slug": "wix.contacts.v4.contact_created", "in_catalog": true,
///                   "scopes": [ { "id": "SCOPE.DC-CONTACTS.READ-CONTACTS",
///                                 "name": "Read Contacts", "read_only": true }, … ] } ],
///     "cover": { "optimal": true,
///                "scopes": [ { "id": …, "name": …, "read_only": true,
///                              "folders": ["contact-created"] } ] } } ] }
/// ```
///
/// `registered_slug` is `null` for an event outside the catalog; scopes are in the order of
/// the text output (read-only first, then by name).
pub fn render_json(out: &mut dyn Write, apps: &[AppPermissions]) -> io::Result<()> {
    let scope = |s: &Scope| serde_json::json!({ "id": s.id, "name": s.name, "read_only": s.is_read_only() });
    let apps: Vec<serde_json::Value> = apps
        .iter()
        .map(|app| {
            let events: Vec<serde_json::Value> = app
                .events
                .iter()
                .map(|e| {
                    serde_json::json!({
                        "folder": e.folder,
                        "event": e.event.to_string(),
                        "registered_slug": e.registered_slug,
                        "in_catalog": e.in_catalog,
                        "scopes": e.scopes.iter().map(|s| scope(s)).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let chosen: Vec<serde_json::Value> = app
                .cover
                .scopes
                .iter()
                .map(|c| {
                    let mut value = scope(c.scope);
                    value["folders"] = serde_json::json!(c.folders);
                    value
                })
                .collect();
            serde_json::json!({
                "path": app.path,
                "manifest": app.manifest,
                "events": events,
                "cover": { "optimal": app.cover.optimal, "scopes": chosen },
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &serde_json::json!({ "apps": apps }))?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_only(id: &str) -> bool {
        id.starts_with("READ")
    }

    /// Ids ending in `ALL` are broad.
    fn breadth(id: &str) -> usize {
        if id.ends_with("ALL") { 10 } else { 1 }
    }

    fn cover(lists: &[Vec<&'static str>]) -> (Vec<&'static str>, bool) {
        choose_cover(lists, read_only, breadth)
    }

    #[test]
    fn one_scope_shared_by_every_list_wins() {
        let lists = vec![
            vec!["READ-A", "READ-ALL", "MANAGE-ALL"],
            vec!["READ-B", "READ-ALL", "MANAGE-ALL"],
        ];
        assert_eq!(cover(&lists), (vec!["READ-ALL"], true));
    }

    #[test]
    fn read_only_scopes_beat_fewer_manage_scopes() {
        // One MANAGE scope would cover both; two READ ones are preferred.
        let lists = vec![vec!["READ-A", "MANAGE-ALL"], vec!["READ-B", "MANAGE-ALL"]];
        assert_eq!(cover(&lists), (vec!["READ-A", "READ-B"], true));
        // Without a read-only choice for the second, one MANAGE scope covers both.
        let lists = vec![vec!["READ-A", "MANAGE-ALL"], vec!["MANAGE-ALL", "MANAGE-B"]];
        assert_eq!(cover(&lists), (vec!["MANAGE-ALL"], true));
    }

    #[test]
    fn the_search_beats_greedy() {
        // Greedy takes READ-X (in three lists) first and then needs two more; READ-1 and
        // READ-2 cover all four lists.
        let lists = vec![
            vec!["READ-1", "READ-X"],
            vec!["READ-1", "READ-X"],
            vec!["READ-2", "READ-X"],
            vec!["READ-1", "READ-Y"],
            vec!["READ-2", "READ-Z"],
        ];
        let (chosen, optimal) = cover(&lists);
        assert_eq!(chosen, ["READ-1", "READ-2"]);
        assert!(optimal);
    }

    #[test]
    fn the_narrower_of_two_equal_scopes_wins() {
        let lists = vec![vec!["READ-ALL", "READ-A"]];
        assert_eq!(cover(&lists), (vec!["READ-A"], true));
    }

    #[test]
    fn empty_lists_need_nothing() {
        assert_eq!(cover(&[vec![], vec![]]), (vec![], true));
        assert_eq!(cover(&[]), (vec![], true));
    }
}
