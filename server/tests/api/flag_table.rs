//! The README's flag tables against `roomcal serve --help`: every flag the binary knows has
//! a row with its default (and its variable, where the table has that column), and every
//! row names a real flag.
//!
//! A README default cell is the default `--help` shows (backticks optional, a gloss in
//! parentheses after it allowed: `10485760` (10 MiB)); `off` for a switch; for a flag
//! without a fixed default, `—` or what it is derived from (`http://<addr>`).

use std::collections::BTreeMap;
use std::process::Command;

/// One flag as `--help` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct HelpFlag {
    /// Whether it takes a value (`--addr <ADDR>`), or is a switch.
    takes_value: bool,
    /// `[default: …]`, if shown.
    default: Option<String>,
    /// `[env: …]`, if shown.
    env: Option<String>,
}

/// One flag as a README table row gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ReadmeFlag {
    /// The default cell's part for this flag, backticks removed.
    default: String,
    /// The env cell's part for this flag, when the table has an env column.
    env: Option<String>,
}

/// The text between `[{label}: ` and the next `]` in `text`.
fn bracketed<'t>(text: &'t str, label: &str) -> Option<&'t str> {
    let start = text.find(&format!("[{label}: "))? + label.len() + 3;
    let end = text[start..].find(']')? + start;
    Some(&text[start..end])
}

/// The flags of a clap help text, by long name (`--addr`); `--help` and `--version` left out.
fn help_flags(help: &str) -> BTreeMap<String, HelpFlag> {
    let mut blocks: Vec<(String, String)> = Vec::new();
    for line in help.lines() {
        let indent = line.len() - line.trim_start().len();
        if line.trim_start().starts_with('-') && indent <= 6 {
            blocks.push((line.to_string(), line.to_string()));
        } else if let Some((_, text)) = blocks.last_mut() {
            text.push('\n');
            text.push_str(line);
        }
    }
    blocks
        .into_iter()
        .filter_map(|(head, text)| {
            let name = head
                .split_whitespace()
                .map(|word| word.trim_end_matches(','))
                .find(|word| word.starts_with("--"))?
                .to_string();
            let flag = HelpFlag {
                takes_value: head.contains('<'),
                default: bracketed(&text, "default").map(str::to_string),
                env: bracketed(&text, "env")
                    .map(|env| env.split('=').next().unwrap_or(env).to_string()),
            };
            Some((name, flag))
        })
        .filter(|(name, _)| name != "--help" && name != "--version")
        .collect()
}

/// A table row's cells, without the outer pipes.
fn cells(line: &str) -> Vec<String> {
    line.trim()
        .trim_matches('|')
        .split('|')
        .map(|cell| cell.trim().to_string())
        .collect()
}

/// The parts of a cell that speaks of several flags (`10, \`15m\`` or `1h / 24h`), or the
/// whole cell for one flag.
fn parts(cell: &str, flags: usize) -> Vec<String> {
    let unquoted = cell.replace('`', "");
    if flags == 1 {
        return vec![unquoted];
    }
    let separator = if unquoted.contains(" / ") {
        " / "
    } else {
        ", "
    };
    unquoted
        .split(separator)
        .map(|part| part.trim().to_string())
        .collect()
}

/// The flags of the README's tables (those whose first column is `flag`), by name; rows the
/// tables get wrong (a cell count that does not fit, a flag listed twice) as errors.
fn readme_flags(readme: &str) -> (BTreeMap<String, ReadmeFlag>, Vec<String>) {
    let mut flags = BTreeMap::new();
    let mut errors = Vec::new();
    let mut columns: Option<Vec<String>> = None;
    for line in readme.lines() {
        if !line.trim_start().starts_with('|') {
            columns = None;
            continue;
        }
        let row = cells(line);
        if columns.is_none() {
            columns = (row.first().map(String::as_str) == Some("flag")).then_some(row);
            continue;
        }
        let Some(header) = &columns else { continue };
        if row.iter().all(|cell| cell.chars().all(|c| c == '-')) {
            continue;
        }
        let cell = |name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .and_then(|i| row.get(i))
                .map(String::as_str)
        };
        let names: Vec<String> = cell("flag")
            .unwrap_or("")
            .split('`')
            .filter(|word| word.starts_with("--"))
            .map(str::to_string)
            .collect();
        let defaults = parts(cell("default").unwrap_or(""), names.len());
        let envs = cell("env").map(|env| parts(env, names.len()));
        if defaults.len() != names.len() || envs.as_ref().is_some_and(|e| e.len() != names.len()) {
            errors.push(format!(
                "README row {line:?}: {} flags but the default/env cells do not name one value \
                 each (separate them with \", \" or \" / \")",
                names.len()
            ));
            continue;
        }
        for (i, name) in names.into_iter().enumerate() {
            let flag = ReadmeFlag {
                default: defaults[i].clone(),
                env: envs.as_ref().map(|e| e[i].clone()),
            };
            if flags.insert(name.clone(), flag).is_some() {
                errors.push(format!("README lists `{name}` twice"));
            }
        }
    }
    (flags, errors)
}

/// Whether the README's default cell says what `--help` shows; why not otherwise.
fn default_error(name: &str, readme: &str, help: &HelpFlag) -> Option<String> {
    match &help.default {
        Some(default) => {
            let matches = readme == default || readme.starts_with(&format!("{default} ("));
            (!matches).then(|| {
                format!(
                    "`{name}`: README says the default is {readme:?}, `roomcal serve --help` \
                     says {default:?}"
                )
            })
        }
        None if !help.takes_value => (readme != "off").then(|| {
            format!("`{name}` is a switch (no default in --help): README should say \"off\", not {readme:?}")
        }),
        None => (readme != "—" && !readme.contains('<')).then(|| {
            format!(
                "`{name}`: README says the default is {readme:?}, but `roomcal serve --help` \
                 shows none (write \"—\", or what it is derived from, like `http://<addr>`)"
            )
        }),
    }
}

/// Every way the README's tables and the help text disagree, one line each.
fn differences(help: &str, readme: &str) -> Vec<String> {
    let help = help_flags(help);
    let (readme, mut errors) = readme_flags(readme);
    for (name, flag) in &help {
        let Some(row) = readme.get(name) else {
            errors.push(format!(
                "`{name}` (default {:?}) is a flag of `roomcal serve` but no README table has a \
                 row for it",
                flag.default.as_deref().unwrap_or("none")
            ));
            continue;
        };
        errors.extend(default_error(name, &row.default, flag));
        if let Some(env) = &row.env {
            let expected = flag.env.as_deref().unwrap_or("");
            if env != expected {
                errors.push(format!(
                    "`{name}`: README names the variable {env:?}, `roomcal serve --help` {expected:?}"
                ));
            }
        }
    }
    for name in readme.keys().filter(|name| !help.contains_key(*name)) {
        errors.push(format!(
            "README lists `{name}`, which `roomcal serve --help` does not know"
        ));
    }
    errors
}

#[test]
fn the_readme_flag_tables_match_serve_help() {
    let mut command = Command::new(env!("CARGO_BIN_EXE_roomcal"));
    command.args(["serve", "--help"]);
    // A variable set in this environment would show as the flag's value in the help.
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("ROOMCAL_") {
            command.env_remove(key);
        }
    }
    let output = command.output().expect("run roomcal serve --help");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let help = String::from_utf8(output.stdout).expect("utf-8 help");
    assert!(help_flags(&help).contains_key("--grace-period"), "{help}");
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md");
    let differences = differences(&help, &readme);
    assert!(
        differences.is_empty(),
        "README.md's flag tables and `roomcal serve --help` differ:\n{}",
        differences.join("\n")
    );
}

#[test]
fn a_wrong_default_a_missing_row_and_an_unknown_flag_are_each_named() {
    let help = "Options:\n      --grace-period <GRACE_PERIOD>\n          How long.\n\n          \
                [env: ROOMCAL_GRACE_PERIOD=]\n          [default: 15m]\n\n      --quiet\n          \
                Say less.\n\n      --addr <ADDR>  Where [env: ROOMCAL_ADDR=] [default: 127.0.0.1:3000]\n  \
                -h, --help\n          Print help\n";
    let readme = "| flag | env | default | what |\n|---|---|---|---|\n\
                  | `--grace-period` | `ROOMCAL_GRACE_PERIOD` | `10m` | grace |\n\
                  | `--addr` | `ROOMCAL_ADDR` | `127.0.0.1:3000` | listen |\n\n\
                  | flag | default | what |\n|---|---|---|\n| `--gone`, `--quiet` | 5, off | x |\n";
    let found = differences(help, readme);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found[0].contains("`--grace-period`") && found[0].contains("\"10m\""));
    assert!(found[0].contains("\"15m\""));
    assert!(found[1].contains("`--gone`") && found[1].contains("does not know"));
    let found = differences(
        help,
        "| flag | default | what |\n|---|---|---|\n| `--addr` | — | x |\n",
    );
    assert!(found
        .iter()
        .any(|e| e.contains("`--grace-period`") && e.contains("no README table")));
    assert!(found
        .iter()
        .any(|e| e.contains("`--addr`") && e.contains("\"127.0.0.1:3000\"")));
}
