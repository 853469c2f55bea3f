//! YAML with line numbers.
//!
//! Every adapter reads YAML through [`Node`], a thin view over saphyr's marked
//! tree, so any value can be cited by line. Typed records go through
//! [`Node::deserialize`], which maps a serde error back to the line of the
//! offending field.

use saphyr::{LoadableYamlNode, MarkedYamlOwned, ScalarOwned, YamlDataOwned};
use serde::de::DeserializeOwned;

/// Deeper nesting than this is treated as malformed: no real knowledge file
/// needs it, and recursion over it could exhaust the stack.
pub const MAX_DEPTH: usize = 128;

/// Why YAML could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// The 1-based line in the file (the offset included).
    pub line: u32,
    /// The parser's or deserialiser's message, naming the field when known.
    pub message: String,
}

/// Parses every document in `text`. `line_offset` is added to every line, for
/// YAML embedded in a larger file (front matter).
pub fn parse_documents(text: &str, line_offset: u32) -> Result<Vec<Document>, YamlError> {
    if let Some(line) = exceeds_flow_depth(text) {
        return Err(YamlError { line: line + line_offset, message: format!("nesting deeper than {MAX_DEPTH} levels") });
    }
    let mut repaired: Option<String> = None;
    for _ in 0..MAX_REPAIRS {
        let source = repaired.as_deref().unwrap_or(text);
        match MarkedYamlOwned::load_from_str(source) {
            Ok(docs) => return Ok(docs.into_iter().map(|root| Document { root, line_offset }).collect()),
            Err(err) => {
                // An error at the end of the input is marked on the line
                // after the last; cite the last line, which an editor shows.
                let line = err.marker().line().clamp(1, source.lines().count().max(1));
                match reindent_closing_bracket(source, line) {
                    Some(fixed) => repaired = Some(fixed),
                    None => return Err(YamlError { line: line as u32 + line_offset, message: err.info().to_string() }),
                }
            }
        }
    }
    Err(YamlError { line: line_offset + 1, message: "too many indentation problems".into() })
}

/// How many misplaced closing brackets one file may have repaired.
const MAX_REPAIRS: usize = 32;

/// Compose files and Helm values often close a multi-line flow sequence with
/// a `]` at the indentation of its key. Go's YAML and PyYAML accept that;
/// saphyr does not. When the rejected line holds only closing brackets,
/// indent it like the line before and try again: lines keep their numbers,
/// so every citation stays exact.
fn reindent_closing_bracket(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.split('\n').collect();
    let index = line.checked_sub(1)?;
    let bad = lines.get(index)?;
    let trimmed = bad.trim();
    if trimmed.is_empty() || !trimmed.chars().all(|c| matches!(c, ']' | '}' | ',' | ' ')) {
        return None;
    }
    let previous = lines[..index].iter().rev().find(|l| !l.trim().is_empty())?;
    let indent = previous.len() - previous.trim_start().len();
    if indent <= bad.len() - bad.trim_start().len() {
        return None;
    }
    let mut out = String::with_capacity(text.len() + indent);
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if i == index {
            out.extend(std::iter::repeat_n(' ', indent));
            out.push_str(trimmed);
        } else {
            out.push_str(l);
        }
    }
    Some(out)
}

/// Block nesting can be no deeper than a line's indent, so this bounds it.
const MAX_INDENT: usize = 1024;

/// A cheap guard against `[[[[…` and `- - - …` bombs before the real parser
/// sees them: the parsed tree is dropped recursively.
fn exceeds_flow_depth(text: &str) -> Option<u32> {
    for (index, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches([' ', '\t', '-', '?', ':']).len();
        if indent > MAX_INDENT {
            return Some(index as u32 + 1);
        }
    }
    let (mut depth, mut line) = (0usize, 1u32);
    let mut quote: Option<char> = None;
    for ch in text.chars() {
        match (quote, ch) {
            (_, '\n') => {
                line += 1;
                quote = None;
            }
            (None, '"' | '\'') => quote = Some(ch),
            (Some(q), c) if c == q => quote = None,
            (None, '[' | '{') => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(line);
                }
            }
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// One YAML document (between `---` markers) with its lines.
#[derive(Debug)]
pub struct Document {
    root: MarkedYamlOwned,
    line_offset: u32,
}

impl Document {
    /// The document's top-level value.
    pub fn root(&self) -> Node<'_> {
        Node { inner: &self.root, line_offset: self.line_offset }
    }
}

/// A value in a document, which knows its line.
#[derive(Clone, Copy)]
pub struct Node<'a> {
    inner: &'a MarkedYamlOwned,
    line_offset: u32,
}

impl<'a> Node<'a> {
    fn wrap(&self, inner: &'a MarkedYamlOwned) -> Node<'a> {
        Node { inner, line_offset: self.line_offset }
    }

    fn data(&self) -> &'a YamlDataOwned<MarkedYamlOwned> {
        let mut node = self.inner;
        while let YamlDataOwned::Tagged(_, inner) = &node.data {
            node = inner;
        }
        &node.data
    }

    /// The 1-based line where this value starts.
    pub fn line(&self) -> u32 {
        self.inner.span.start.line() as u32 + self.line_offset
    }

    /// The last line this value covers.
    pub fn end_line(&self) -> u32 {
        let end = self.inner.span.end.line() as u32 + self.line_offset;
        // A block value's span ends on the line after its last character.
        if end > self.line() && self.inner.span.end.col() == 0 { end - 1 } else { end.max(self.line()) }
    }

    /// Whether it is null, empty or unreadable.
    pub fn is_null(&self) -> bool {
        matches!(self.data(), YamlDataOwned::Value(ScalarOwned::Null) | YamlDataOwned::BadValue)
    }

    /// Whether it is a mapping.
    pub fn is_mapping(&self) -> bool {
        matches!(self.data(), YamlDataOwned::Mapping(_))
    }

    /// The value under `key`, when this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<Node<'a>> {
        match self.data() {
            YamlDataOwned::Mapping(map) => {
                map.iter().find(|(k, _)| scalar_text(k).as_deref() == Some(key)).map(|(_, v)| self.wrap(v))
            }
            _ => None,
        }
    }

    /// `a.b.c` lookups through nested mappings.
    pub fn path(&self, dotted: &str) -> Option<Node<'a>> {
        dotted.split('.').try_fold(*self, |node, key| node.get(key))
    }

    /// A scalar as text: strings as written, numbers and booleans rendered.
    pub fn text(&self) -> Option<String> {
        scalar_text(self.inner).filter(|t| !t.is_empty())
    }

    /// The scalar under `key` as text; `None` when missing, empty or not a scalar.
    pub fn str_at(&self, key: &str) -> Option<String> {
        self.get(key).and_then(|n| n.text())
    }

    /// A sequence's items; empty for anything else.
    pub fn items(&self) -> Vec<Node<'a>> {
        match self.data() {
            YamlDataOwned::Sequence(seq) => seq.iter().map(|n| self.wrap(n)).collect(),
            _ => Vec::new(),
        }
    }

    /// A mapping's entries with scalar keys, in order; empty for anything else.
    pub fn entries(&self) -> Vec<(String, Node<'a>)> {
        match self.data() {
            YamlDataOwned::Mapping(map) => {
                map.iter().filter_map(|(k, v)| Some((scalar_text(k)?, self.wrap(v)))).collect()
            }
            _ => Vec::new(),
        }
    }

    /// A scalar or a list of scalars, as a list of strings.
    pub fn strings(&self) -> Vec<String> {
        match self.data() {
            YamlDataOwned::Sequence(seq) => seq.iter().filter_map(scalar_text).filter(|t| !t.is_empty()).collect(),
            _ => self.text().into_iter().collect(),
        }
    }

    /// [`Node::strings`] of the value under `key`; empty when missing.
    pub fn strings_at(&self, key: &str) -> Vec<String> {
        self.get(key).map(|n| n.strings()).unwrap_or_default()
    }

    /// The value as JSON: floats kept as text (`1.10` stays `"1.10"`), aliases
    /// and anything nested deeper than [`MAX_DEPTH`] as null.
    pub fn to_json(&self) -> serde_json::Value {
        to_json(self.inner, 0)
    }

    /// Deserialises into `T`; an error names the line of the field at fault.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, YamlError> {
        let json = self.to_json();
        serde_path_to_error::deserialize::<_, T>(&json).map_err(|err| {
            let line = self.line_of_path(err.path()).unwrap_or_else(|| self.line());
            let field = err.path().to_string();
            let inner = err.into_inner().to_string();
            let message = if field == "." { inner } else { format!("{field}: {inner}") };
            YamlError { line, message }
        })
    }

    fn line_of_path(&self, path: &serde_path_to_error::Path) -> Option<u32> {
        use serde_path_to_error::Segment;
        let mut node = *self;
        for segment in path.iter() {
            let next = match segment {
                Segment::Map { key } => node.get(key),
                Segment::Seq { index } => node.items().get(*index).copied(),
                Segment::Enum { .. } | Segment::Unknown => None,
            };
            match next {
                Some(n) => node = n,
                None => break,
            }
        }
        Some(node.line())
    }
}

fn scalar_text(node: &MarkedYamlOwned) -> Option<String> {
    match &node.data {
        YamlDataOwned::Value(scalar) => match scalar {
            ScalarOwned::Null => None,
            ScalarOwned::Boolean(b) => Some(b.to_string()),
            ScalarOwned::Integer(i) => Some(i.to_string()),
            ScalarOwned::FloatingPoint(f) => Some(f.to_string()),
            ScalarOwned::String(s) => Some(s.trim().to_string()),
        },
        YamlDataOwned::Representation(text, _, _) => Some(text.trim().to_string()),
        YamlDataOwned::Tagged(_, inner) => scalar_text(inner),
        _ => None,
    }
}

fn to_json(node: &MarkedYamlOwned, depth: usize) -> serde_json::Value {
    use serde_json::Value;
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    match &node.data {
        YamlDataOwned::Value(scalar) => match scalar {
            ScalarOwned::Null => Value::Null,
            ScalarOwned::Boolean(b) => Value::Bool(*b),
            ScalarOwned::Integer(i) => Value::from(*i),
            // Floats stay text: a version such as `1.10` must not become 1.1.
            ScalarOwned::FloatingPoint(f) => Value::String(f.to_string()),
            ScalarOwned::String(s) => Value::String(s.clone()),
        },
        YamlDataOwned::Representation(text, _, _) => Value::String(text.clone()),
        YamlDataOwned::Sequence(seq) => Value::Array(seq.iter().map(|n| to_json(n, depth + 1)).collect()),
        YamlDataOwned::Mapping(map) => {
            Value::Object(map.iter().filter_map(|(k, v)| Some((scalar_text(k)?, to_json(v, depth + 1)))).collect())
        }
        YamlDataOwned::Tagged(_, inner) => to_json(inner, depth),
        YamlDataOwned::Alias(_) | YamlDataOwned::BadValue => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        name: String,
        tier: u8,
    }

    #[test]
    fn values_carry_lines() {
        let docs = parse_documents("a: 1\nb:\n  - x\n  - y\n---\nc: true\n", 0).expect("parses");
        assert_eq!(docs.len(), 2);
        let root = docs[0].root();
        assert_eq!(root.get("b").map(|n| n.line()), Some(3));
        assert_eq!(root.strings_at("b"), vec!["x", "y"]);
        assert_eq!(docs[1].root().str_at("c").as_deref(), Some("true"));
    }

    #[test]
    fn yaml_1_2_keeps_no_as_text() {
        let docs = parse_documents("country: NO\n", 0).expect("parses");
        assert_eq!(docs[0].root().to_json()["country"], "NO");
    }

    #[test]
    fn typed_errors_point_at_the_field() {
        let docs = parse_documents("name: x\n\ntier: high\n", 10).expect("parses");
        let err = docs[0].root().deserialize::<Sample>().expect_err("tier is not a number");
        assert_eq!(err.line, 13);
        assert!(err.message.contains("tier"), "{}", err.message);
    }

    #[test]
    fn an_error_at_the_end_names_the_last_line() {
        // Found by fuzzing (fuzz/ yaml): the marker was one line past the end.
        let err = parse_documents("kind: system\nenv:\n  - A\nt", 0).expect_err("a key without a value");
        assert_eq!(err.line, 4, "{err:?}");
        let err = parse_documents("---\n\"open", 10).expect_err("an unclosed string");
        assert!(err.line <= 12, "{err:?}");
    }

    #[test]
    fn syntax_errors_have_lines() {
        let err = parse_documents("a: 1\nb: [unclosed\nc: 2\n", 0).expect_err("malformed");
        assert!(err.line >= 2, "{err:?}");
    }

    #[test]
    fn closing_brackets_at_key_indentation_are_accepted() {
        let text = "services:\n  flagd:\n    command: [\n      \"start\",\n      \"--uri\"\n    ]\n    ports:\n      - \"80\"\n";
        let docs = parse_documents(text, 0).expect("lenient about the closing bracket");
        let flagd = docs[0].root().path("services.flagd").expect("service");
        assert_eq!(flagd.strings_at("command"), vec!["start", "--uri"]);
        assert_eq!(flagd.get("ports").map(|n| n.line()), Some(8), "lines are unchanged");
    }

    #[test]
    fn deep_flow_nesting_is_refused_not_crashed() {
        for bomb in ["[".repeat(100_000), "- ".repeat(100_000), "{a: ".repeat(50_000)] {
            let err = parse_documents(&bomb, 0).expect_err("too deep");
            assert!(err.message.contains("nesting"));
        }
    }
}
