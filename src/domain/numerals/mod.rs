//! Numerals, written and read: Roman numbers, arabic and circled digits, Chinese counting and
//! legal numerals. One place for the clause parser (reading numbering), the `.docx` reader
//! (writing out Word's automatic numbering), the report (section numbers) and the clause
//! suggestions.

use std::fmt::Write as _;

/// Roman numeral in canonical subtractive form, upper case: 4 → `IV`, 1994 → `MCMXCIV`.
/// No upper bound (4000 → `MMMM`); 0 gives an empty string.
pub fn roman(mut n: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (value, symbol) in TABLE {
        while n >= value {
            out.push_str(symbol);
            n -= value;
        }
    }
    out
}

/// Value of a Roman numeral written all upper or all lower case, at most 12 letters. Only the
/// canonical spelling counts, so that words such as "did" or "civic" are not taken for numbers.
pub fn roman_value(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 12 {
        return None;
    }
    let upper = s.chars().all(|c| c.is_ascii_uppercase());
    let lower = s.chars().all(|c| c.is_ascii_lowercase());
    if !upper && !lower {
        return None;
    }
    let vals: Vec<u32> = s
        .chars()
        .map(|c| match c.to_ascii_uppercase() {
            'I' => Some(1),
            'V' => Some(5),
            'X' => Some(10),
            'L' => Some(50),
            'C' => Some(100),
            'D' => Some(500),
            'M' => Some(1000),
            _ => None,
        })
        .collect::<Option<Vec<u32>>>()?;
    let mut total = 0u32;
    for (i, v) in vals.iter().enumerate() {
        match vals.get(i + 1) {
            Some(next) if next > v => total = total.checked_sub(*v)?,
            _ => total += v,
        }
    }
    (roman(total).eq_ignore_ascii_case(s) && total > 0).then_some(total)
}

/// Value of an arabic digit, half- or full-width.
pub fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

/// Value of a circled number: ① … ⑳, ㉑ … ㉟, ㊱ … ㊿.
pub fn circled_value(c: char) -> Option<u32> {
    let v = c as u32;
    match v {
        0x2460..=0x2473 => Some(v - 0x2460 + 1),
        0x3251..=0x325F => Some(v - 0x3251 + 21),
        0x32B1..=0x32BF => Some(v - 0x32B1 + 36),
        _ => None,
    }
}

/// Whether `c` can be part of a Chinese counting numeral (digits, 十, 百, 千, 两).
pub fn is_cjk_digit(c: char) -> bool {
    matches!(
        c,
        '零' | '〇'
            | '一'
            | '二'
            | '三'
            | '四'
            | '五'
            | '六'
            | '七'
            | '八'
            | '九'
            | '十'
            | '百'
            | '千'
            | '两'
    )
}

/// Value of a Chinese numeral such as `二十三` or `一百零五`.
pub fn cjk_number(s: &str) -> Option<u32> {
    let mut total = 0u32;
    let mut pending: Option<u32> = None;
    for c in s.chars() {
        let digit = match c {
            '零' | '〇' => Some(0),
            '一' => Some(1),
            '二' | '两' => Some(2),
            '三' => Some(3),
            '四' => Some(4),
            '五' => Some(5),
            '六' => Some(6),
            '七' => Some(7),
            '八' => Some(8),
            '九' => Some(9),
            _ => None,
        };
        if let Some(d) = digit {
            if pending.is_some_and(|p| p != 0) {
                return None;
            }
            pending = Some(d);
            continue;
        }
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            _ => return None,
        };
        total = total.checked_add(pending.unwrap_or(1).checked_mul(unit)?)?;
        pending = None;
    }
    total = total.checked_add(pending.unwrap_or(0))?;
    (total > 0).then_some(total)
}

/// The characters of one style of Chinese numerals.
pub struct ChineseNumerals {
    pub digits: [char; 10],
    /// 十, 百, 千.
    pub units: [char; 3],
    /// Whether a leading 一十 is written 十 (counting style, not legal style).
    pub short_ten: bool,
}

pub const CHINESE_COUNTING: ChineseNumerals = ChineseNumerals {
    digits: ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'],
    units: ['十', '百', '千'],
    short_ten: true,
};

pub const CHINESE_LEGAL_SIMPLIFIED: ChineseNumerals = ChineseNumerals {
    digits: ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'],
    units: ['拾', '佰', '仟'],
    short_ten: false,
};

pub const CHINESE_LEGAL_TRADITIONAL: ChineseNumerals = ChineseNumerals {
    digits: ['零', '壹', '貳', '參', '肆', '伍', '陸', '柒', '捌', '玖'],
    units: ['拾', '佰', '仟'],
    short_ten: false,
};

/// Chinese counting numerals: 1 一, 10 十, 11 十一, 20 二十, 101 一百零一,
/// 10001 一万零一 (legal style: 壹拾, 壹佰零壹 …).
pub fn chinese_counting(n: u32, numerals: &ChineseNumerals) -> String {
    if n == 0 {
        return numerals.digits[0].to_string();
    }
    let zero = if numerals.short_ten {
        '零'
    } else {
        numerals.digits[0]
    };
    // Groups of four digits, most significant first.
    let groups = [
        (n / 100_000_000, Some('亿')),
        ((n / 10_000) % 10_000, Some('万')),
        (n % 10_000, None),
    ];
    let mut out = String::new();
    let mut need_zero = false;
    for (value, big_unit) in groups {
        if value == 0 {
            need_zero = !out.is_empty();
            continue;
        }
        if need_zero || (!out.is_empty() && value < 1000) {
            out.push(zero);
        }
        need_zero = false;
        let digits = [
            value / 1000,
            (value / 100) % 10,
            (value / 10) % 10,
            value % 10,
        ];
        let mut started = false;
        let mut inner_zero = false;
        for (i, d) in digits.into_iter().enumerate() {
            if d == 0 {
                inner_zero = started;
                continue;
            }
            if inner_zero {
                out.push(zero);
                inner_zero = false;
            }
            started = true;
            out.push(numerals.digits[d as usize]);
            if i < 3 {
                out.push(numerals.units[2 - i]);
            }
        }
        if let Some(unit) = big_unit {
            out.push(unit);
        }
    }
    if numerals.short_ten {
        let one_ten: String = [numerals.digits[1], numerals.units[0]].iter().collect();
        if let Some(rest) = out.strip_prefix(one_ten.as_str()) {
            return format!("{}{rest}", numerals.units[0]);
        }
    }
    out
}

/// Chinese numeral for section numbering: 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九.
/// Numbers past 99 are written in Arabic digits.
pub fn chinese_numeral(n: usize) -> String {
    match n {
        0 => "零".to_string(),
        1..=99 => chinese_counting(n as u32, &CHINESE_COUNTING),
        _ => {
            let mut s = String::new();
            let _ = write!(s, "{n}");
            s
        }
    }
}

#[cfg(test)]
mod tests;
