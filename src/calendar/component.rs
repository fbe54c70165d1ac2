//! Logical lines → components, isolating every malformed piece.
//!
//! The builder is a stack machine that never gives up: a line it cannot parse,
//! an `END` that closes nothing, a component left open by a truncated body —
//! each becomes a [`ParseWarning`] and the rest of the feed is kept.
//!
//! VEVENTs are not stored in the tree: their properties stream straight into
//! an [`EventSink`] as borrowed views, so parsing a large feed allocates only
//! what the finished events keep. Everything else (calendars, time zones) is
//! small and kept as a tree.

use super::contentline::{parse_content_line, PropRef, Property};
use super::decode::LogicalLine;
use super::{push_warning, ParseWarning};

/// A parsed component (VCALENDAR, VTIMEZONE, STANDARD, ...).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Component {
    /// Upper-cased component name.
    pub name: String,
    /// Properties in source order (empty for VEVENTs, which stream to the sink).
    pub props: Vec<Property>,
    /// Nested components in source order.
    pub children: Vec<Component>,
    /// Physical line of the `BEGIN`.
    pub line: usize,
    /// Unfolded source text (only kept for VEVENTs, which report it).
    pub raw: String,
}

impl Component {
    /// The first property with that (upper-case) name.
    pub fn prop(&self, name: &str) -> Option<&Property> {
        self.props.iter().find(|p| p.name == name)
    }

    /// All properties with that (upper-case) name.
    pub fn props_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Property> + 'a {
        self.props.iter().filter(move |p| p.name == name)
    }
}

/// Ordinal given to VEVENTs that are not inside any VCALENDAR.
pub(crate) const LOOSE: usize = usize::MAX;

/// Receives the VEVENTs as they are read.
pub(crate) trait EventSink {
    /// A `BEGIN:VEVENT` at `line` (not nested in another VEVENT).
    fn begin(&mut self, line: usize);
    /// A property directly inside the open VEVENT.
    fn property(&mut self, prop: &PropRef<'_>);
    /// The open VEVENT is complete; `calendar` is its VCALENDAR's ordinal or [`LOOSE`].
    fn end(&mut self, raw: String, calendar: usize);
    /// The open VEVENT was truncated and must be dropped.
    fn abandon(&mut self);
}

/// Result of building the tree.
#[derive(Debug, Default)]
pub(crate) struct Tree {
    /// Finished VCALENDARs (without their VEVENTs) with their ordinal.
    pub calendars: Vec<(usize, Component)>,
    /// Whether a `BEGIN:VCALENDAR` or `BEGIN:VEVENT` was seen at all.
    pub saw_calendar: bool,
}

/// Incremental builder fed one logical line at a time.
pub(crate) struct TreeBuilder<'w, S: EventSink> {
    stack: Vec<Component>,
    tree: Tree,
    warnings: &'w mut Vec<ParseWarning>,
    sink: S,
    calendars_begun: usize,
    current_calendar: usize,
}

fn warn(warnings: &mut Vec<ParseWarning>, line: usize, reason: String) {
    push_warning(warnings, line, reason);
}

/// Deepest component nesting accepted. Real calendars nest three levels
/// (VCALENDAR > VEVENT > VALARM); the cap keeps every stack scan O(1) on
/// hostile input such as a million `BEGIN:X` lines.
const MAX_DEPTH: usize = 16;

impl<'w, S: EventSink> TreeBuilder<'w, S> {
    /// A builder that appends its warnings to `warnings` and streams VEVENTs to `sink`.
    pub fn new(warnings: &'w mut Vec<ParseWarning>, sink: S) -> Self {
        TreeBuilder {
            stack: Vec::new(),
            tree: Tree::default(),
            warnings,
            sink,
            calendars_begun: 0,
            current_calendar: LOOSE,
        }
    }

    /// Position of the outermost open VEVENT, if any.
    fn event_depth(&self) -> Option<usize> {
        self.stack.iter().position(|c| c.name == "VEVENT")
    }

    /// Adds a finished component to its parent, the sink or the calendars.
    fn attach(&mut self, component: Component) {
        if component.name == "VEVENT" && self.event_depth().is_none() {
            let calendar = if self.stack.iter().any(|c| c.name == "VCALENDAR") {
                self.current_calendar
            } else {
                LOOSE
            };
            self.sink.end(component.raw, calendar);
            return;
        }
        if self.event_depth().is_some() {
            return; // VALARMs and the like inside an event are not needed
        }
        match self.stack.last_mut() {
            Some(parent) => parent.children.push(component),
            None if component.name == "VCALENDAR" => {
                self.tree.calendars.push((self.current_calendar, component))
            }
            None => {} // other top-level components carry nothing we use
        }
    }

    /// Drops an unfinished component; a calendar keeps its finished children.
    fn abandon(&mut self, component: Component, why: &str) {
        if component.name == "VCALENDAR" {
            self.attach(component);
            return;
        }
        if component.name == "VEVENT" && self.event_depth().is_none() {
            self.sink.abandon();
        }
        warn(
            self.warnings,
            component.line,
            format!("{} starting here was {why}; it is skipped", component.name),
        );
    }

    /// Appends a line to the raw text of the open VEVENT.
    fn append_raw(&mut self, text: &str) {
        if let Some(event) = self.event_depth().and_then(|i| self.stack.get_mut(i)) {
            event.raw.push_str(text);
            event.raw.push_str("\r\n");
        }
    }

    /// Feeds one logical line.
    pub fn push(&mut self, line: LogicalLine<'_>) {
        let prop = match parse_content_line(line.text, line.line) {
            Ok(prop) => prop,
            Err(reason) => {
                warn(self.warnings, line.line, reason);
                return;
            }
        };
        if prop.name.eq_ignore_ascii_case("BEGIN") {
            self.begin(prop.value, line);
        } else if prop.name.eq_ignore_ascii_case("END") {
            self.end(prop.value, line);
        } else {
            self.append_raw(line.text);
            let depth = self.event_depth();
            match depth {
                Some(i) if i + 1 == self.stack.len() => self.sink.property(&prop),
                Some(_) => {} // inside a VALARM of an event
                None => match self.stack.last_mut() {
                    Some(top) => top.props.push(prop.to_property()),
                    None => warn(
                        self.warnings,
                        line.line,
                        format!("property {} outside of any component", prop.name),
                    ),
                },
            }
        }
    }

    fn begin(&mut self, value: &str, line: LogicalLine<'_>) {
        let name = value.trim().to_ascii_uppercase();
        if self.stack.len() >= MAX_DEPTH {
            warn(
                self.warnings,
                line.line,
                format!("BEGIN:{name} nested too deeply; ignored"),
            );
            return;
        }
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            // Still opened, so its END matches and its lines stay inside it.
            warn(
                self.warnings,
                line.line,
                format!("invalid component name {name:?}"),
            );
        }
        if name == "VCALENDAR" || name == "VEVENT" {
            self.tree.saw_calendar = true;
        }
        // A VEVENT cannot nest in a VEVENT: the open one was truncated.
        let truncated =
            name != "VCALENDAR" && self.stack.last().is_some_and(|top| top.name == name);
        if let Some(open) = self.stack.pop_if(|_| truncated) {
            self.abandon(open, "not closed before the next one began");
        }
        if name == "VCALENDAR" && !self.stack.iter().any(|c| c.name == "VCALENDAR") {
            self.current_calendar = self.calendars_begun;
            self.calendars_begun += 1;
        }
        let starts_event = name == "VEVENT" && self.event_depth().is_none();
        if starts_event {
            self.sink.begin(line.line);
        }
        self.append_raw(line.text);
        let mut component = Component {
            name,
            line: line.line,
            ..Component::default()
        };
        if starts_event {
            component.raw.reserve(1024);
            component.raw.push_str(line.text);
            component.raw.push_str("\r\n");
        }
        self.stack.push(component);
    }

    fn end(&mut self, value: &str, line: LogicalLine<'_>) {
        let name = value.trim().to_ascii_uppercase();
        if !self.stack.iter().any(|c| c.name == name) {
            warn(
                self.warnings,
                line.line,
                format!("END:{name} closes nothing"),
            );
            return;
        }
        self.append_raw(line.text);
        while let Some(mut top) = self.stack.pop() {
            if top.name == name {
                top.raw.shrink_to_fit();
                self.attach(top);
                break;
            }
            self.abandon(top, "not closed");
        }
    }

    /// Ends the input: unclosed components are truncated (calendars are kept).
    pub fn finish(mut self) -> Tree {
        while let Some(top) = self.stack.pop() {
            self.abandon(top, "cut off by the end of the data");
        }
        self.tree
    }
}
