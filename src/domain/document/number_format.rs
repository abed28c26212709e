//! Word number formats (`w:numFmt`): 1 written as `一`, `壹`, `i`, `A`, `①` …

use crate::domain::numerals::{
    self, CHINESE_COUNTING, CHINESE_LEGAL_SIMPLIFIED, CHINESE_LEGAL_TRADITIONAL, chinese_counting,
};

/// Writes `n` in a Word number format (`w:numFmt`). Unknown formats fall back
/// to decimal.
pub(super) fn format_number(n: u32, format: &str) -> String {
    match format {
        "none" | "bullet" => String::new(),
        "decimalZero" => format!("{n:02}"),
        "decimalFullWidth" | "decimalFullWidth2" => n
            .to_string()
            .chars()
            .map(|c| char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap_or(c))
            .collect(),
        "lowerRoman" => roman(n).to_lowercase(),
        "upperRoman" => roman(n),
        "lowerLetter" => letters(n).to_lowercase(),
        "upperLetter" => letters(n),
        "ordinal" => {
            let suffix = match (n % 10, n % 100) {
                (_, 11..=13) => "th",
                (1, _) => "st",
                (2, _) => "nd",
                (3, _) => "rd",
                _ => "th",
            };
            format!("{n}{suffix}")
        }
        "chineseCounting"
        | "chineseCountingThousand"
        | "japaneseCounting"
        | "taiwaneseCounting"
        | "taiwaneseCountingThousand"
        | "koreanCounting" => chinese_counting(n, &CHINESE_COUNTING),
        "chineseLegalSimplified" => chinese_counting(n, &CHINESE_LEGAL_SIMPLIFIED),
        "ideographLegalTraditional" | "japaneseLegal" => {
            chinese_counting(n, &CHINESE_LEGAL_TRADITIONAL)
        }
        "ideographDigital" | "taiwaneseDigital" | "japaneseDigitalTenThousand" => n
            .to_string()
            .chars()
            .map(|c| CHINESE_COUNTING.digits[c as usize - '0' as usize])
            .collect(),
        "ideographTraditional" => cyclic(
            n,
            &['甲', '乙', '丙', '丁', '戊', '己', '庚', '辛', '壬', '癸'],
        ),
        "ideographZodiac" => cyclic(
            n,
            &[
                '子', '丑', '寅', '卯', '辰', '巳', '午', '未', '申', '酉', '戌', '亥',
            ],
        ),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" => match n {
            0 => "⓪".to_owned(),
            1..=20 => char_at(0x2460, n - 1),
            21..=35 => char_at(0x3251, n - 21),
            36..=50 => char_at(0x32B1, n - 36),
            _ => n.to_string(),
        },
        "decimalEnclosedFullstop" => match n {
            1..=20 => char_at(0x2488, n - 1),
            _ => format!("{n}."),
        },
        "decimalEnclosedParen" => match n {
            1..=20 => char_at(0x2474, n - 1),
            _ => format!("({n})"),
        },
        "ideographEnclosedCircle" => match n {
            1..=10 => char_at(0x3280, n - 1),
            _ => n.to_string(),
        },
        _ => n.to_string(),
    }
}

pub(super) fn char_at(base: u32, offset: u32) -> String {
    char::from_u32(base + offset).map_or_else(String::new, String::from)
}

pub(super) fn cyclic(n: u32, symbols: &[char]) -> String {
    if n == 0 {
        return "0".to_owned();
    }
    let len = symbols.len() as u32;
    symbols[((n - 1) % len) as usize].to_string()
}

/// Word's Roman numbering: only 1 … 3999 are written in Roman numerals.
pub(super) fn roman(n: u32) -> String {
    if n == 0 || n >= 4000 {
        return n.to_string();
    }
    numerals::roman(n)
}

/// Word's letter numbering: A … Z, AA … ZZ, AAA …
pub(super) fn letters(n: u32) -> String {
    if n == 0 {
        return "0".to_owned();
    }
    let letter = char::from(b'A' + ((n - 1) % 26) as u8);
    let count = ((n - 1) / 26 + 1).min(100) as usize;
    std::iter::repeat_n(letter, count).collect()
}
