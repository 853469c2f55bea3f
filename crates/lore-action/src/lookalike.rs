//! Words written with characters that look like ASCII but are not: fullwidth
//! forms (`ｒｍ`), Cyrillic and Greek look-alikes (`delеte` with Cyrillic
//! `е`), and invisible characters (zero-width spaces, joiners, byte-order
//! marks). A shell runs none of them as the ASCII word they resemble, but a
//! reviewer reads them as that word, which is the point of writing them.

/// The ASCII word `word` is made to look like, when it differs from `word`
/// only by look-alike or invisible characters.
pub fn unmask(word: &str) -> Option<String> {
    if word.is_ascii() {
        return None;
    }
    let mut out = String::with_capacity(word.len());
    for ch in word.chars() {
        if is_invisible(ch) {
            continue;
        }
        match ascii_for(ch) {
            Some(ascii) => out.push(ascii),
            None => return None,
        }
    }
    (!out.is_empty() && out != word).then_some(out)
}

/// Characters that render as nothing.
fn is_invisible(ch: char) -> bool {
    matches!(ch, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}')
}

/// The ASCII character `ch` is, or looks like.
fn ascii_for(ch: char) -> Option<char> {
    if ch.is_ascii() {
        return Some(ch);
    }
    // Fullwidth forms of `!` … `~`.
    if ('\u{FF01}'..='\u{FF5E}').contains(&ch) {
        return char::from_u32(ch as u32 - 0xFEE0);
    }
    let ascii = match ch {
        // Dashes are left alone: `–exec` pasted from a web page is a typo a
        // shell rejects, not a disguise.
        '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => ' ',
        // Cyrillic.
        'а' => 'a',
        'в' => 'b',
        'е' => 'e',
        'һ' => 'h',
        'і' => 'i',
        'ј' => 'j',
        'к' => 'k',
        'ӏ' => 'l',
        'м' => 'm',
        'о' => 'o',
        'р' => 'p',
        'ԛ' => 'q',
        'ѕ' => 's',
        'т' => 't',
        'ԁ' => 'd',
        'ԝ' => 'w',
        'х' => 'x',
        'у' => 'y',
        'с' => 'c',
        'А' => 'A',
        'В' => 'B',
        'Е' => 'E',
        'К' => 'K',
        'М' => 'M',
        'Н' => 'H',
        'О' => 'O',
        'Р' => 'P',
        'С' => 'C',
        'Т' => 'T',
        'Х' => 'X',
        // Greek.
        'α' => 'a',
        'ε' => 'e',
        'ι' => 'i',
        'κ' => 'k',
        'ν' => 'v',
        'ο' => 'o',
        'ρ' => 'p',
        'τ' => 't',
        'υ' => 'u',
        'χ' => 'x',
        'Α' => 'A',
        'Β' => 'B',
        'Ε' => 'E',
        'Ι' => 'I',
        'Κ' => 'K',
        'Μ' => 'M',
        'Ν' => 'N',
        'Ο' => 'O',
        'Ρ' => 'P',
        'Τ' => 'T',
        'Χ' => 'X',
        _ => return None,
    };
    Some(ascii)
}

#[cfg(test)]
mod tests {
    use super::unmask;

    #[test]
    fn look_alikes_unmask_to_the_word_they_resemble() {
        assert_eq!(unmask("ｒｍ").as_deref(), Some("rm"));
        assert_eq!(unmask("r\u{200B}m").as_deref(), Some("rm"));
        assert_eq!(unmask("del\u{0435}te").as_deref(), Some("delete"));
        assert_eq!(unmask("\u{FEFF}rm").as_deref(), Some("rm"));
        assert_eq!(unmask("rm\u{00A0}-rf").as_deref(), Some("rm -rf"));
    }

    #[test]
    fn real_words_are_left_alone() {
        assert_eq!(unmask("rm"), None);
        assert_eq!(unmask("café"), None, "é is a letter of its own, not a disguise");
        assert_eq!(unmask("データ"), None);
        assert_eq!(unmask("\u{200B}"), None);
        assert_eq!(unmask("\u{2013}exec"), None, "an en dash pasted for a hyphen");
    }
}
