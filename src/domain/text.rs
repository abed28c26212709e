//! Rules for text people type: what counts as blank.

/// Characters that show nothing: zero-width spaces and joiners, the word joiner, the byte-order
/// mark, direction marks and embeddings, invisible operators, variation selectors, tags, soft
/// hyphens and the Hangul and Braille fillers.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{2800}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E007F}'
            | '\u{E0100}'..='\u{E01EF}'
    )
}

/// Whether the text shows nothing: empty, or only white space and invisible characters.
pub fn is_blank(s: &str) -> bool {
    s.chars().all(|c| c.is_whitespace() || is_invisible(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_text() {
        for blank in [
            "",
            "  \n\t",
            "\u{3000}",
            "\u{200B}\u{200C}\u{200D}",
            "\u{2060}\u{FEFF}",
            " \u{200B} \u{200E}\u{2066}\u{2069} ",
            "\u{00AD}\u{FE0F}\u{E0041}",
        ] {
            assert!(is_blank(blank), "{blank:?}");
        }
        for text in ["a", "\u{200B}意见\u{200B}", "👍🏻", "‍x"] {
            assert!(!is_blank(text), "{text:?}");
        }
    }
}
