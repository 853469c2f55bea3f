//! Text analysis, the same for documents and questions: words are split
//! where a reader would split them (CamelCase, snake_case, kebab-case,
//! dots) and also kept whole, so `ClusterVersionOperatorDown` is found by
//! "cluster version operator down" and `redis-cli` by `redis-cli`.

use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

/// The name the analyzer is registered under in every index.
pub const ANALYZER: &str = "lore_words";
/// Longer tokens are hashes, keys and encoded blobs, not words.
const MAX_TOKEN_CHARS: usize = 40;

/// Lucene's English stop words less the negations, plus the pieces
/// contractions leave (`don't` → `don`, `t`).
const STOP_WORDS: [&str; 33] = [
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "of", "on", "or",
    "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will", "with", "s", "t",
];

/// The analyzer for every text field: words and their parts, lowercased,
/// without stop words, plain words stemmed (English).
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::from(WordTokenizer::default())
}

/// The analyzed terms of `text`, in order, with repeats.
pub fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    positioned(analyzer, text).into_iter().map(|(_, term)| term).collect()
}

/// The analyzed terms of `text` with their positions; a joined word shares
/// its position with its first part, and stop words leave gaps.
pub fn positioned(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(usize, String)> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push((token.position, token.text.clone()));
    }
    out
}

/// Splits text into words (letters, digits and the `_ - .` that join
/// identifiers), emitting each joined word whole and then its parts,
/// lowercased. Stop words are dropped (leaving a gap in positions); words
/// of letters only are stemmed, identifiers and numbers are not.
/// CJK text, written without spaces, becomes one token per character.
#[derive(Clone)]
pub struct WordTokenizer {
    stemmer: std::sync::Arc<frostem::Stemmer>,
}

impl Default for WordTokenizer {
    fn default() -> Self {
        WordTokenizer { stemmer: std::sync::Arc::new(frostem::Stemmer::new(frostem::Algorithm::English)) }
    }
}

/// The tokens [`WordTokenizer`] made of one text.
pub struct WordStream {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream {
        let mut tokens = Vec::new();
        let mut position = 0;
        for (start, word) in words(text) {
            position = push_word(&mut tokens, position, start, word);
        }
        for token in &mut tokens {
            if token.text.chars().all(char::is_alphabetic)
                && let std::borrow::Cow::Owned(stem) = self.stemmer.stem(&token.text)
            {
                token.text = stem;
            }
        }
        WordStream { tokens, next: 0 }
    }
}

impl TokenStream for WordStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next.saturating_sub(1).min(self.tokens.len().saturating_sub(1))]
    }

    fn token_mut(&mut self) -> &mut Token {
        let at = self.next.saturating_sub(1).min(self.tokens.len().saturating_sub(1));
        &mut self.tokens[at]
    }
}

fn is_joiner(c: char) -> bool {
    matches!(c, '_' | '-' | '.')
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF     // Hiragana, Katakana
        | 0x3400..=0x4DBF   // CJK Extension A
        | 0x4E00..=0x9FFF   // CJK Unified Ideographs
        | 0xAC00..=0xD7AF   // Hangul syllables
        | 0xF900..=0xFAFF   // CJK Compatibility Ideographs
        | 0x20000..=0x2FFFF)
}

/// Maximal runs of word characters, trimmed of joiners at either end, with their byte offsets.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        loop {
            let (start, c) = chars.next()?;
            if is_cjk(c) {
                return Some((start, &text[start..start + c.len_utf8()]));
            }
            if !c.is_alphanumeric() && !is_joiner(c) {
                continue;
            }
            let mut end = start + c.len_utf8();
            while let Some(&(at, next)) = chars.peek() {
                if is_cjk(next) || !(next.is_alphanumeric() || is_joiner(next)) {
                    break;
                }
                end = at + next.len_utf8();
                chars.next();
            }
            let word = &text[start..end];
            let trimmed = word.trim_start_matches(is_joiner);
            let offset = start + (word.len() - trimmed.len());
            let trimmed = trimmed.trim_end_matches(is_joiner);
            if !trimmed.is_empty() {
                return Some((offset, trimmed));
            }
        }
    })
}

/// A joined word is emitted at the position of its first part, so phrases
/// match across `redis-cli monitor` as across `redis cli monitor`. Returns
/// the next free position.
fn push_word(tokens: &mut Vec<Token>, mut position: usize, start: usize, word: &str) -> usize {
    let parts = parts(word);
    let mut push = |from: usize, written: &str, position: usize| {
        let text = singular_acronym(written).to_lowercase();
        if text.chars().count() <= MAX_TOKEN_CHARS && !STOP_WORDS.contains(&text.as_str()) {
            tokens.push(Token {
                offset_from: start + from,
                offset_to: start + from + written.len(),
                position,
                text,
                position_length: 1,
            });
        }
    };
    if parts.len() > 1 {
        push(0, word, position);
    }
    for (from, part) in parts {
        push(from, part, position);
        position += 1;
    }
    position
}

/// `PVCs` → `PVC`: the stemmer would keep the `s` of a word without vowels.
fn singular_acronym(text: &str) -> &str {
    match text.strip_suffix('s') {
        Some(stem) if stem.len() >= 2 && stem.chars().all(|c| c.is_ascii_uppercase()) => stem,
        _ => text,
    }
}

/// A word's parts: split at joiners and at case changes (`OVNKubeNode` →
/// `OVN`, `Kube`, `Node`), never between letters and digits (`k8s`, `ipv4`).
fn parts(word: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    for (piece_start, piece) in split_joiners(word) {
        let chars: Vec<(usize, char)> = piece.char_indices().collect();
        let mut from = 0;
        for i in 1..chars.len() {
            let (prev, cur) = (chars[i - 1].1, chars[i].1);
            let next_lower = chars.get(i + 1).is_some_and(|(_, n)| n.is_lowercase());
            // `IPs`, `PVCs`: a plural acronym is one word.
            let plural = chars.len() == i + 2 && chars[i + 1].1 == 's';
            let boundary = (prev.is_lowercase() && cur.is_uppercase())
                || (prev.is_uppercase() && cur.is_uppercase() && next_lower && !plural);
            if boundary {
                out.push((piece_start + from, &piece[from..chars[i].0]));
                from = chars[i].0;
            }
        }
        out.push((piece_start + from, &piece[from..]));
    }
    out
}

fn split_joiners(word: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    word.split(is_joiner).filter_map(move |piece| {
        let at = start;
        start += piece.len() + 1;
        (!piece.is_empty()).then_some((at, piece))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Vec<String> {
        terms(&mut analyzer(), text)
    }

    #[test]
    fn camel_case_is_split_and_kept_whole() {
        assert_eq!(
            raw("ClusterVersionOperatorDown"),
            ["clusterversionoperatordown", "cluster", "version", "oper", "down"]
        );
        assert_eq!(
            raw("NodeWithoutOVNKubeNodePodRunning")[1..],
            ["node", "without", "ovn", "kube", "node", "pod", "run"]
        );
    }

    #[test]
    fn identifiers_split_at_joiners_but_not_at_digits() {
        assert_eq!(raw("redis-cli"), ["redis-cli", "redi", "cli"]);
        assert_eq!(raw("pg_stat_activity"), ["pg_stat_activity", "pg", "stat", "activ"]);
        assert_eq!(raw("k8s ipv4"), ["k8s", "ipv4"]);
        assert_eq!(raw("IPs PVCs HTTPServer"), ["ip", "pvc", "httpserver", "http", "server"]);
        assert_eq!(raw("--force, the pod."), ["forc", "pod"]);
        assert_eq!(raw("virt-handler"), ["virt-handler", "virt", "handler"]);
    }

    #[test]
    fn joined_words_share_their_first_part_position() {
        let mut analyzer = analyzer();
        assert_eq!(
            positioned(&mut analyzer, "redis-cli monitor"),
            [(0, "redis-cli".to_string()), (0, "redi".to_string()), (1, "cli".to_string()), (2, "monitor".to_string())]
        );
        assert_eq!(positioned(&mut analyzer, "out of disk"), [(0, "out".to_string()), (2, "disk".to_string())]);
    }

    #[test]
    fn cjk_is_one_token_per_character() {
        assert_eq!(raw("数据库 down"), ["数", "据", "库", "down"]);
    }

    #[test]
    fn offsets_point_at_the_text() {
        let text = "run `redis-cli monitor`";
        let mut analyzer = analyzer();
        let mut stream = analyzer.token_stream(text);
        while let Some(token) = stream.next() {
            assert!(text[token.offset_from..token.offset_to].to_lowercase().starts_with(&token.text), "{token:?}");
        }
    }

    #[test]
    fn the_analyzer_stems_and_drops_stop_words() {
        let mut analyzer = analyzer();
        assert_eq!(terms(&mut analyzer, "Restarting the Pods"), ["restart", "pod"]);
        assert_eq!(terms(&mut analyzer, "don't"), ["don"]);
        assert!(terms(&mut analyzer, &"x".repeat(100)).is_empty());
        assert!(terms(&mut analyzer, "!!! ... ---").is_empty());
    }
}
