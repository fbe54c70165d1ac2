//! The layer rule, checked on the source: imports point one way. Within each crate the
//! module graph (modules under `src/`, linked by `crate::…` and `super::…` paths outside
//! comments) has no cycle, except the calendar engine's value / zone / rule knot, which is
//! one layer (see `src/calendar/mod.rs`) and is looked at as a whole.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file under `src` (`store/sql/mod.rs` → `store::sql`).
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// The text without `//` comments (doc comments may name any module).
fn code_of(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The product code of a file: `#[cfg(test)] mod … { … }` blocks cut off (by convention
/// the last item of a file), and the names of its test-only child modules
/// (`#[cfg(test)] mod tests;`), whose files are left out.
fn product_code(code: &str) -> (String, Vec<String>) {
    let mut test_children = Vec::new();
    let mut rest = code;
    let mut kept = String::new();
    while let Some(at) = rest.find("#[cfg(test)]") {
        kept.push_str(&rest[..at]);
        let after = rest[at + "#[cfg(test)]".len()..].trim_start();
        let Some(item) = after.strip_prefix("mod ") else {
            rest = after;
            continue;
        };
        let name: String = item
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if item[name.len()..].trim_start().starts_with(';') {
            test_children.push(name);
            rest = item;
        } else {
            return (kept, test_children); // an inline test module runs to the end
        }
    }
    kept.push_str(rest);
    (kept, test_children)
}

/// The edges between the modules of one crate, collapsed by `group` (which names the
/// node a module belongs to).
fn module_graph(
    src: &Path,
    group: impl Fn(&[String]) -> String,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(src, f)).collect();
    let mut test_only: BTreeSet<Vec<String>> = BTreeSet::new();
    for file in &files {
        let code = code_of(&std::fs::read_to_string(file).expect("read source"));
        for child in product_code(&code).1 {
            let mut module = module_of(src, file);
            module.push(child);
            test_only.insert(module);
        }
    }
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        // The bench and tool binaries are leaves of their own.
        if file.components().any(|c| c.as_os_str() == "bin") {
            continue;
        }
        let here = module_of(src, file);
        if test_only.iter().any(|t| here.starts_with(t)) {
            continue;
        }
        let code = product_code(&code_of(
            &std::fs::read_to_string(file).expect("read source"),
        ))
        .0;
        for (at, prefix) in code
            .match_indices("crate::")
            .chain(code.match_indices("super::"))
        {
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue; // the middle of a longer path (`super::super::`) or a name
            }
            // The whole path: `super::super::store::sql::Query` → segments; a group
            // (`crate::{csrf, health::readyz}`) names one path per item.
            let token: String = code[at..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let rest = &code[at + token.len()..];
            let items: Vec<String> = match rest.strip_prefix('{') {
                Some(group) => group_items(group)
                    .into_iter()
                    .map(|item| format!("{token}{item}"))
                    .collect(),
                None => vec![token],
            };
            for path in items {
                let mut segments = path.split("::").filter(|s| !s.is_empty()).peekable();
                let mut target = if prefix == "crate::" {
                    segments.next();
                    Vec::new()
                } else {
                    here.clone()
                };
                while segments.peek() == Some(&"super") {
                    segments.next();
                    target.pop();
                }
                target.extend(segments.map(str::to_string));
                // The longest prefix that is a module.
                while !target.is_empty() && !modules.contains(&target) {
                    target.pop();
                }
                let (from, to) = (group(&here), group(&target));
                if from != to && !to.is_empty() {
                    edges.entry(from).or_default().insert(to);
                }
            }
        }
    }
    edges
}

/// The top-level items of a `use` group, from just after its `{`: `a, b::c, d::{e}` →
/// `a`, `b::c`, `d` (nested groups name their parent module, which is enough here).
fn group_items(group: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for c in group.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => items.push(std::mem::take(&mut current)),
            _ if depth == 0 => current.push(c),
            _ => {}
        }
    }
    items.push(current);
    items
        .into_iter()
        .map(|item| {
            item.trim()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect::<String>()
        })
        .filter(|item| !item.is_empty() && item != "self")
        .collect()
}

/// The cycles of a graph, as its strongly connected components of more than one node.
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    let nodes: BTreeSet<&String> = edges
        .keys()
        .chain(edges.values().flat_map(|v| v.iter()))
        .collect();
    let reaches = |from: &String| {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.clone()];
        while let Some(n) = stack.pop() {
            for next in edges.get(&n).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        seen
    };
    let reach: BTreeMap<&String, BTreeSet<String>> =
        nodes.iter().map(|n| (*n, reaches(n))).collect();
    let mut found: Vec<BTreeSet<String>> = Vec::new();
    for n in &nodes {
        let component: BTreeSet<String> = nodes
            .iter()
            .filter(|m| reach[*n].contains(**m) && reach[*m].contains(*n))
            .map(|m| (*m).clone())
            .collect();
        if component.len() > 1 && !found.contains(&component) {
            found.push(component);
        }
    }
    found
}

fn crate_src(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// Modules two levels deep (`services::rooms`, `store::sql`), the calendar as one node.
fn two_levels(module: &[String]) -> String {
    match module.first().map(String::as_str) {
        Some("calendar") => "calendar".into(),
        _ => module
            .iter()
            .take(2)
            .cloned()
            .collect::<Vec<_>>()
            .join("::"),
    }
}

#[test]
fn no_module_of_the_core_imports_one_that_imports_it_back() {
    let graph = module_graph(&crate_src("src"), two_levels);
    assert!(
        graph.contains_key("services::rooms"),
        "the graph was read: {graph:?}"
    );
    assert_eq!(cycles(&graph), Vec::<BTreeSet<String>>::new(), "{graph:#?}");
    let top = module_graph(&crate_src("src"), |m| {
        m.first().cloned().unwrap_or_default()
    });
    assert_eq!(cycles(&top), Vec::<BTreeSet<String>>::new(), "{top:#?}");
}

#[test]
fn the_layers_of_the_core_point_one_way() {
    let graph = module_graph(&crate_src("src"), |m| {
        m.first().cloned().unwrap_or_default()
    });
    // Lower layers never name higher ones (pure → domain → platform → store → events → sync → services).
    let order = [
        "calendar",
        "lifecycle",
        "domain",
        "platform",
        "store",
        "events",
        "sync",
        "services",
    ];
    for (low, name) in order.iter().enumerate() {
        for target in graph.get(*name).into_iter().flatten() {
            if let Some(high) = order.iter().position(|o| o == target) {
                assert!(high < low, "{name} imports {target}, a layer above it");
            }
        }
    }
    assert!(
        graph.contains_key("services"),
        "the graph was read: {graph:?}"
    );
}

#[test]
fn neither_the_server_nor_the_pages_import_in_a_loop() {
    for (src, sample) in [("server/src", "router"), ("app/src", "pages")] {
        let graph = module_graph(&crate_src(src), two_levels);
        assert!(graph.contains_key(sample), "{src} was read: {graph:?}");
        assert_eq!(
            cycles(&graph),
            Vec::<BTreeSet<String>>::new(),
            "{src}: {graph:#?}"
        );
    }
}

#[test]
fn grouped_imports_count_as_edges() {
    assert_eq!(
        group_items("csrf, health::readyz, api::{a, b}, self}; rest"),
        vec!["csrf", "health::readyz", "api::"]
    );
}

#[test]
fn the_loop_finder_finds_a_loop() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    graph
        .entry("store".into())
        .or_default()
        .insert("sync".into());
    graph
        .entry("sync".into())
        .or_default()
        .insert("store".into());
    graph
        .entry("sync".into())
        .or_default()
        .insert("calendar".into());
    assert_eq!(
        cycles(&graph),
        vec![BTreeSet::from(["store".to_string(), "sync".to_string()])]
    );
}

/// The product code (comments and `#[cfg(test)]` modules cut off) of every `.rs` file
/// under the workspace folders `dirs`, by path relative to the workspace.
fn product_files(dirs: &[&str]) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in dirs {
        let path = root.join(dir);
        if path.is_file() {
            files.push(path);
        } else {
            rust_files(&path, &mut files);
        }
    }
    let mut out: Vec<(String, String)> = files
        .iter()
        .filter(|f| !f.ends_with("tests.rs"))
        .map(|f| {
            let text = std::fs::read_to_string(f).expect("source");
            let rel = f.strip_prefix(root).expect("in the workspace");
            (
                rel.to_string_lossy().into_owned(),
                product_code(&code_of(&text)).0,
            )
        })
        .collect();
    out.sort();
    out
}

/// The files among `files` whose code `rule` finds something in.
fn offenders(files: &[(String, String)], rule: impl Fn(&str) -> bool) -> Vec<&str> {
    files
        .iter()
        .filter(|(_, code)| rule(code))
        .map(|(path, _)| path.as_str())
        .collect()
}

#[test]
fn only_the_privacy_module_decides_who_is_the_owner_and_what_others_see() {
    let files = product_files(&["src", "app/src", "server/src"]);
    assert!(files.len() > 50, "the sources were read: {}", files.len());
    // "Is this viewer the room's owner?" is asked of `Audience`, never answered in place.
    let compares_with_owner = |code: &str| {
        code.lines()
            .any(|l| l.contains("owner_id") && (l.contains("==") || l.contains("!=")))
    };
    assert_eq!(
        offenders(&files, compares_with_owner),
        vec!["src/services/privacy.rs"]
    );
    // Redaction is applied by the privacy module alone (on top of the pure rule).
    let redacts = |code: &str| code.contains("public_view(") || code.contains(".shows_details()");
    assert_eq!(
        offenders(&files, redacts),
        vec!["src/lifecycle/redact.rs", "src/services/privacy.rs"]
    );
    // Pages, server functions and the API get decided views from the core's use cases.
    let decides_details =
        |code: &str| code.contains("visible_details(") || code.contains("occurrence_details(");
    let outside_the_core: Vec<&str> = offenders(&files, decides_details)
        .into_iter()
        .filter(|path| !path.starts_with("src/"))
        .collect();
    assert_eq!(outside_the_core, Vec::<&str>::new());
}

#[test]
fn only_the_access_rule_reads_a_meetings_call_url_for_a_visitor() {
    let files = product_files(&["src", "app/src", "server/src"]);
    // `meeting.participant_url` / `.host_url` read anywhere else would be a way for the
    // call to leave the server without the room's access rule being asked.
    let reads_the_call = |code: &str| {
        code.contains("meeting.participant_url")
            || code.contains("meeting.host_url")
            || code.contains(".host_url.clone()")
    };
    assert_eq!(
        offenders(&files, reads_the_call),
        vec!["src/domain/records.rs", "src/services/access.rs"]
    );
}

#[test]
fn the_core_never_names_the_wire_and_the_wire_holds_only_what_pages_use() {
    let core = product_files(&["src"]);
    let names_the_wire = |code: &str| code.contains("app::") || code.contains("server::");
    assert_eq!(offenders(&core, names_the_wire), Vec::<&str>::new());
    // The one exception to "wire types live with the wire": the owner's sync records,
    // whose JSON is also how the sync log stores them, describe their own schema.
    let describes_a_schema = |code: &str| code.contains("utoipa");
    assert_eq!(
        offenders(&core, describes_a_schema),
        vec![
            "src/services/room_calendar.rs",
            "src/sync/outcome.rs",
            "src/sync/probe.rs",
            "src/webhooks/mod.rs",
            "src/webhooks/payload.rs"
        ]
    );
    // A type in app's `dto` that no page or server function uses is the API's alone, and
    // belongs with the API in the server crate.
    let pages = product_files(&[
        "app/src/pages",
        "app/src/server_fns",
        "app/src/components.rs",
    ]);
    let dto = product_files(&["app/src/dto"]);
    let mut declared = Vec::new();
    for (_, code) in &dto {
        for word in ["pub struct ", "pub enum "] {
            for (at, _) in code.match_indices(word) {
                let name: String = code[at + word.len()..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                declared.push(name);
            }
        }
    }
    assert!(
        declared.contains(&"MeetingItem".to_string()),
        "{declared:?}"
    );
    let used_by_pages = |name: &str| pages.iter().any(|(_, code)| code.contains(name));
    // A field's type counts as used through the type that holds it.
    let used_inside = |name: &str| {
        dto.iter().any(|(_, code)| {
            code.contains(&format!(": {name},")) || code.contains(&format!("<{name}>"))
        })
    };
    let api_only: Vec<&String> = declared
        .iter()
        .filter(|name| !used_by_pages(name) && !used_inside(name))
        .collect();
    assert_eq!(
        api_only,
        Vec::<&String>::new(),
        "move these to server/src/api"
    );
}
