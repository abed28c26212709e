use super::*;

#[test]
fn roman_numerals_round_trip() {
    for n in [1, 2, 3, 5, 8, 12, 14, 19, 24, 1994, 2024, 3999, 4000] {
        let r = roman(n);
        assert_eq!(roman_value(&r), Some(n), "{r}");
        assert_eq!(roman_value(&r.to_lowercase()), Some(n), "{r}");
    }
    assert_eq!(roman(1994), "MCMXCIV");
    assert_eq!(roman(0), "");
    for not_roman in ["", "IIII", "VX", "did", "civic", "Iv", "MMMMMMMMMMMMM"] {
        assert_eq!(roman_value(not_roman), None, "{not_roman}");
    }
}

#[test]
fn chinese_numerals_read_and_written() {
    for n in 1..=9999 {
        let s = chinese_counting(n, &CHINESE_COUNTING);
        assert_eq!(cjk_number(&s), Some(n), "{s}");
    }
    assert_eq!(cjk_number("两百"), Some(200));
    assert_eq!(cjk_number("一二"), None);
    assert_eq!(cjk_number("零"), None);
    assert_eq!(cjk_number("条"), None);
    assert!("一百零五".chars().all(is_cjk_digit));
    assert!(!is_cjk_digit('万'));
}

#[test]
fn section_numerals() {
    let cases = [
        (0, "零"),
        (1, "一"),
        (9, "九"),
        (10, "十"),
        (12, "十二"),
        (20, "二十"),
        (21, "二十一"),
        (99, "九十九"),
        (100, "100"),
        (1234, "1234"),
    ];
    for (n, text) in cases {
        assert_eq!(chinese_numeral(n), text, "{n}");
    }
}

#[test]
fn digits() {
    assert_eq!(digit_value('7'), Some(7));
    assert_eq!(digit_value('７'), Some(7));
    assert_eq!(digit_value('a'), None);
    assert_eq!(circled_value('①'), Some(1));
    assert_eq!(circled_value('⑳'), Some(20));
    assert_eq!(circled_value('㉑'), Some(21));
    assert_eq!(circled_value('㊿'), Some(50));
    assert_eq!(circled_value('1'), None);
}
