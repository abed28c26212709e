use super::number_format::format_number;
use super::*;
use std::io::Write;

// ----- plain text -------------------------------------------------------

const GOV_TEXT: &str = "一、总体要求\r\n（一）指导思想。全面落实……";

#[test]
fn utf8_without_bom() {
    let d = decode_text("第一条 为了规范\n第二条".as_bytes()).unwrap();
    assert_eq!(d.text, "第一条 为了规范\n第二条");
    assert_eq!(d.encoding, "utf-8");
}

#[test]
fn utf8_with_bom_and_crlf() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(GOV_TEXT.as_bytes());
    bytes.extend_from_slice(b"\rlast\r\n");
    let d = decode_text(&bytes).unwrap();
    assert_eq!(d.text, "一、总体要求\n（一）指导思想。全面落实……\nlast\n");
    assert_eq!(d.encoding, "utf-8");
    assert!(!d.text.contains('\u{FEFF}'));
}

#[test]
fn utf16_with_bom() {
    let mut le = vec![0xFF, 0xFE];
    let mut be = vec![0xFE, 0xFF];
    for unit in GOV_TEXT.encode_utf16() {
        le.extend_from_slice(&unit.to_le_bytes());
        be.extend_from_slice(&unit.to_be_bytes());
    }
    let expected = "一、总体要求\n（一）指导思想。全面落实……";
    let d = decode_text(&le).unwrap();
    assert_eq!((d.text.as_str(), d.encoding), (expected, "utf-16le"));
    let d = decode_text(&be).unwrap();
    assert_eq!((d.text.as_str(), d.encoding), (expected, "utf-16be"));
    // The same through the upload entry point.
    let d = decode_upload(Some("草案.txt"), &le).unwrap();
    assert_eq!((d.text.as_str(), d.encoding), (expected, "utf-16le"));
}

#[test]
fn gb18030_text() {
    let (bytes, _, unmappable) = GB18030.encode(GOV_TEXT);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err());
    let d = decode_text(&bytes).unwrap();
    assert_eq!(d.text, "一、总体要求\n（一）指导思想。全面落实……");
    assert_eq!(d.encoding, "gb18030");
    let d = decode_upload(Some("方案.md"), &bytes).unwrap();
    assert_eq!(d.encoding, "gb18030");
}

#[test]
fn empty_input() {
    assert_eq!(decode_text(b""), Err(DecodeError::Empty));
    assert_eq!(decode_text(b"\xEF\xBB\xBF"), Err(DecodeError::Empty));
    assert_eq!(decode_text(b" \r\n\r\n"), Err(DecodeError::Empty));
    assert_eq!(decode_upload(Some("a.txt"), b""), Err(DecodeError::Empty));
    assert_eq!(docx_to_text(b""), Err(DecodeError::Empty));
}

/// Deterministic pseudo-random bytes.
fn noise(len: usize) -> Vec<u8> {
    let mut state: u32 = 0x1234_5678;
    (0..len)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 24) as u8
        })
        .collect()
}

#[test]
fn binary_input() {
    assert_eq!(decode_text(&noise(4096)), Err(DecodeError::Binary));
    assert_eq!(decode_text(b"text\0with a NUL"), Err(DecodeError::Binary));
    let controls: Vec<u8> = (1u8..0x20).cycle().take(200).collect();
    assert_eq!(decode_text(&controls), Err(DecodeError::Binary));
    // Random bytes without any NUL are still binary.
    let no_nul: Vec<u8> = noise(4096).into_iter().map(|b| b.max(1)).collect();
    assert_eq!(decode_text(&no_nul), Err(DecodeError::Binary));
    assert_eq!(
        decode_upload(Some("x.txt"), &noise(512)),
        Err(DecodeError::Binary)
    );
}

#[test]
fn unknown_encoding() {
    // 0x81 opens a GB18030 sequence that 0x20 cannot continue.
    assert_eq!(
        decode_text(b"plain words \x81 and more words"),
        Err(DecodeError::UnknownEncoding)
    );
    // An odd number of bytes after a UTF-16 byte-order mark.
    assert_eq!(
        decode_text(b"\xFF\xFEa\x00b"),
        Err(DecodeError::UnknownEncoding)
    );
}

#[test]
fn unsupported_formats() {
    let pdf = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj".to_vec();
    let ole2 = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00\x00\x00".to_vec();
    let png = b"\x89PNG\r\n\x1A\n\x00\x00\x00\rIHDR".to_vec();
    let jpeg = b"\xFF\xD8\xFF\xE0\x00\x10JFIF".to_vec();
    for (name, bytes) in [
        (Some("draft.pdf"), &pdf),
        (Some("draft.txt"), &pdf),
        (None, &pdf),
        (Some("draft.doc"), &ole2),
        (Some("draft.docx"), &ole2),
        (Some("scan.png"), &png),
        (Some("scan.jpg"), &jpeg),
    ] {
        assert_eq!(
            decode_upload(name, bytes),
            Err(DecodeError::UnsupportedType),
            "{name:?}"
        );
    }
    // Unrecognised binary content named like a non-text file.
    assert_eq!(
        decode_upload(Some("sheet.XLS"), &noise(256)),
        Err(DecodeError::UnsupportedType)
    );
    // A .docx that is neither a zip package nor text.
    assert!(matches!(
        decode_upload(Some("draft.docx"), &noise(256)),
        Err(DecodeError::BadDocx(_))
    ));
}

#[test]
fn extension_is_only_a_hint() {
    // Text content wins over a misleading name.
    let d = decode_upload(Some("draft.docx"), "第一条 内容".as_bytes()).unwrap();
    assert_eq!((d.text.as_str(), d.encoding), ("第一条 内容", "utf-8"));
    // A zip package is read as a Word document whatever its name.
    let bytes = docx_with(&para("正文"), None, None);
    let d = decode_upload(Some("draft.txt"), &bytes).unwrap();
    assert_eq!((d.text.as_str(), d.encoding), ("正文", "docx"));
    let d = decode_upload(None, &bytes).unwrap();
    assert_eq!(d.encoding, "docx");
}

#[test]
fn too_large() {
    let big = vec![b'a'; MAX_UPLOAD_BYTES + 1];
    let err = DecodeError::TooLarge {
        size: MAX_UPLOAD_BYTES + 1,
        limit: MAX_UPLOAD_BYTES,
    };
    assert_eq!(decode_upload(Some("a.txt"), &big), Err(err.clone()));
    assert_eq!(decode_text(&big), Err(err));
    assert!(decode_text(&big[..MAX_UPLOAD_BYTES]).is_ok());
}

#[test]
fn file_extensions() {
    assert_eq!(
        extension_of("C:\\drafts\\方案.DOCX").as_deref(),
        Some("docx")
    );
    assert_eq!(extension_of("a/b.c/readme").as_deref(), None);
    assert_eq!(extension_of(".bashrc").as_deref(), None);
    assert_eq!(extension_of("x.tar.gz").as_deref(), Some("gz"));
}

// ----- number formats --------------------------------------------------

#[test]
fn chinese_counting_numbers() {
    let cases = [
        (0, "〇"),
        (1, "一"),
        (9, "九"),
        (10, "十"),
        (11, "十一"),
        (19, "十九"),
        (20, "二十"),
        (21, "二十一"),
        (99, "九十九"),
        (100, "一百"),
        (101, "一百零一"),
        (110, "一百一十"),
        (111, "一百一十一"),
        (1001, "一千零一"),
        (1010, "一千零一十"),
        (1100, "一千一百"),
        (10_000, "一万"),
        (10_001, "一万零一"),
        (100_000, "十万"),
        (120_034, "十二万零三十四"),
        (1_000_500, "一百万零五百"),
        (100_000_005, "一亿零五"),
    ];
    for (n, text) in cases {
        assert_eq!(format_number(n, "chineseCounting"), text, "{n}");
    }
    assert_eq!(format_number(11, "chineseCountingThousand"), "十一");
    assert_eq!(format_number(21, "japaneseCounting"), "二十一");
    assert_eq!(format_number(10, "chineseLegalSimplified"), "壹拾");
    assert_eq!(format_number(101, "chineseLegalSimplified"), "壹佰零壹");
    assert_eq!(format_number(105, "ideographDigital"), "一〇五");
}

#[test]
fn other_number_formats() {
    let cases = [
        (7, "decimal", "7"),
        (12, "decimalFullWidth", "１２"),
        (3, "decimalZero", "03"),
        (1, "ideographTraditional", "甲"),
        (10, "ideographTraditional", "癸"),
        (11, "ideographTraditional", "甲"),
        (1, "decimalEnclosedCircle", "①"),
        (20, "decimalEnclosedCircleChinese", "⑳"),
        (21, "decimalEnclosedCircle", "㉑"),
        (50, "decimalEnclosedCircle", "㊿"),
        (51, "decimalEnclosedCircle", "51"),
        (2, "decimalEnclosedParen", "⑵"),
        (1, "lowerLetter", "a"),
        (26, "upperLetter", "Z"),
        (27, "lowerLetter", "aa"),
        (4, "lowerRoman", "iv"),
        (1994, "upperRoman", "MCMXCIV"),
        (2, "ordinal", "2nd"),
        (12, "ordinal", "12th"),
        (5, "none", ""),
        (5, "somethingNew", "5"),
    ];
    for (n, format, text) in cases {
        assert_eq!(format_number(n, format), text, "{n} {format}");
    }
}

// ----- .docx -----------------------------------------------------------

const W_DECL: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

fn zip_of(parts: &[(&str, &str)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in parts {
        writer.start_file(*name, options).unwrap();
        writer.write_all(content.as_bytes()).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn document_xml(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document {W_DECL} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr></w:body></w:document>"#
    )
}

/// A minimal package: content types, package relationships, the main
/// document and, when given, numbering and styles parts.
fn docx_with(body: &str, numbering: Option<&str>, styles: Option<&str>) -> Vec<u8> {
    let content_types = r#"<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;
    let rels = r#"<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;
    let document = document_xml(body);
    let mut parts = vec![
        ("[Content_Types].xml", content_types.to_owned()),
        ("_rels/.rels", rels.to_owned()),
        ("word/document.xml", document),
    ];
    if let Some(n) = numbering {
        parts.push((
                "word/numbering.xml",
                format!(r#"<?xml version="1.0" encoding="UTF-8"?><w:numbering {W_DECL} xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">{n}</w:numbering>"#),
            ));
    }
    if let Some(s) = styles {
        parts.push((
            "word/styles.xml",
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><w:styles {W_DECL}>{s}</w:styles>"#),
        ));
    }
    let borrowed: Vec<(&str, &str)> = parts.iter().map(|(n, c)| (*n, c.as_str())).collect();
    zip_of(&borrowed)
}

fn para(text: &str) -> String {
    format!("<w:p><w:r><w:t>{text}</w:t></w:r></w:p>")
}

fn numbered(num_id: u32, ilvl: u32, text: &str) -> String {
    format!(
        r#"<w:p><w:pPr><w:pStyle w:val="ListParagraph"/><w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr><w:ind w:firstLineChars="200"/></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#
    )
}

fn lines_of(bytes: &[u8]) -> Vec<String> {
    docx_to_text(bytes)
        .unwrap()
        .split('\n')
        .map(str::to_owned)
        .collect()
}

#[test]
fn docx_plain_paragraphs_and_runs() {
    let body = format!(
        r#"{}<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t>指导</w:t></w:r><w:r><w:t>思想</w:t></w:r><w:proofErr w:type="gramStart"/><w:r><w:t>。</w:t></w:r></w:p><w:p/><w:p><w:r><w:t xml:space="preserve">Article </w:t></w:r><w:r><w:t>1</w:t></w:r><w:r><w:t xml:space="preserve">  two spaces</w:t></w:r></w:p><w:p><w:r><w:t>A &amp; B &lt;C&gt; &#x4E00;&#19968;</w:t></w:r></w:p>"#,
        para("关于推进数字政府建设的实施方案（征求意见稿）")
    );
    let bytes = docx_with(&body, None, None);
    assert_eq!(
        lines_of(&bytes),
        [
            "关于推进数字政府建设的实施方案（征求意见稿）",
            "指导思想。",
            "",
            "Article 1  two spaces",
            "A & B <C> 一一",
        ]
    );
}

#[test]
fn docx_tabs_and_breaks() {
    let body = r#"<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs></w:pPr><w:r><w:t>甲</w:t><w:tab/><w:t>乙</w:t><w:br/><w:t>丙</w:t><w:cr/><w:t>丁</w:t></w:r></w:p><w:p><w:r><w:br w:type="page"/></w:r><w:r><w:t>第二章</w:t></w:r></w:p>"#;
    let bytes = docx_with(body, None, None);
    assert_eq!(docx_to_text(&bytes).unwrap(), "甲\t乙\n丙\n丁\n第二章");
}

#[test]
fn docx_tables() {
    let cell = |paras: &[&str]| {
        let inner: String = paras.iter().map(|t| para(t)).collect();
        format!("<w:tc><w:tcPr><w:tcW w:w=\"2000\" w:type=\"dxa\"/></w:tcPr>{inner}</w:tc>")
    };
    let tracked_rows = format!(
        "<w:tr><w:trPr><w:del w:id=\"1\" w:author=\"a\"/></w:trPr>{}{}</w:tr><w:tr><w:trPr><w:ins w:id=\"2\" w:author=\"a\"/></w:trPr>{}{}</w:tr>",
        cell(&["2"]),
        cell(&["删除的行"]),
        cell(&["3"]),
        cell(&["插入的行"])
    );
    let body = format!(
        "{}<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr><w:tblGrid><w:gridCol w:w=\"2000\"/><w:gridCol w:w=\"2000\"/></w:tblGrid><w:tr>{}{}</w:tr><w:tr>{}{}</w:tr>{}</w:tbl>{}",
        para("附表"),
        cell(&["序号"]),
        cell(&["任务", "（牵头单位）"]),
        cell(&["1"]),
        cell(&["建设统一平台"]),
        tracked_rows,
        para("表后正文")
    );
    let bytes = docx_with(&body, None, None);
    assert_eq!(
        lines_of(&bytes),
        [
            "附表",
            "序号",
            "任务",
            "（牵头单位）",
            "1",
            "建设统一平台",
            "3",
            "插入的行",
            "表后正文"
        ]
    );
}

#[test]
fn docx_tracked_changes() {
    let body = r#"<w:p><w:r><w:t>加快</w:t></w:r><w:del w:id="1" w:author="a" w:date="2024-01-01T00:00:00Z"><w:r><w:delText>推进</w:delText></w:r><w:r><w:tab/></w:r></w:del><w:ins w:id="2" w:author="a"><w:r><w:t>建设</w:t></w:r></w:ins><w:r><w:t>数字政府</w:t></w:r><w:moveFrom w:id="3" w:author="a"><w:r><w:t>挪走</w:t></w:r></w:moveFrom></w:p><w:p><w:pPr><w:rPr><w:del w:id="4" w:author="a"/></w:rPr></w:pPr><w:del w:id="5" w:author="a"><w:r><w:delText>整段删除</w:delText></w:r></w:del></w:p><w:p><w:pPr><w:pPrChange w:id="6" w:author="a"><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr></w:pPrChange></w:pPr><w:r><w:rPr><w:rPrChange w:id="7" w:author="a"><w:rPr><w:b/></w:rPr></w:rPrChange></w:rPr><w:t>下一段</w:t></w:r></w:p>"#;
    let bytes = docx_with(body, None, None);
    assert_eq!(lines_of(&bytes), ["加快建设数字政府", "下一段"]);
}

#[test]
fn docx_hidden_text_and_alternate_content() {
    let body = r#"<w:p><w:r><w:t>可见</w:t></w:r><w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r><w:r><w:rPr><w:vanish w:val="0"/></w:rPr><w:t>也可见</w:t></w:r></w:p><w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r><w:r><w:t>正文</w:t></w:r></w:p>"#;
    let bytes = docx_with(body, None, None);
    assert_eq!(lines_of(&bytes), ["可见也可见", "文本框", "正文"]);
}

/// Three levels as in a Chinese work plan: 一、 / （一） / 1.
const WORK_PLAN_NUMBERING: &str = r#"<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="hybridMultilevel"/><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/><w:lvlJc w:val="left"/><w:pPr><w:ind w:left="420" w:hanging="420"/></w:pPr></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/><w:lvlJc w:val="left"/></w:lvl><w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/><w:lvlJc w:val="left"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>"#;

#[test]
fn docx_numbering_three_levels() {
    let body = [
        para("关于加快发展的实施意见"),
        numbered(1, 0, "总体要求"),
        numbered(1, 1, "指导思想。全面落实……"),
        numbered(1, 2, "创新驱动。坚持创新在现代化建设全局中的核心地位。"),
        numbered(1, 2, "协调发展。"),
        numbered(1, 1, "基本原则。"),
        para("未编号的说明段落。"),
        numbered(1, 2, "坚持人民至上。"),
        numbered(1, 2, "坚持系统观念。"),
        numbered(1, 0, "主要任务"),
        numbered(1, 1, "加强基础设施建设。"),
        numbered(1, 2, "推进网络建设。"),
    ]
    .concat();
    let bytes = docx_with(&body, Some(WORK_PLAN_NUMBERING), None);
    assert_eq!(
        lines_of(&bytes),
        [
            "关于加快发展的实施意见",
            "一、总体要求",
            "（一）指导思想。全面落实……",
            "1.创新驱动。坚持创新在现代化建设全局中的核心地位。",
            "2.协调发展。",
            "（二）基本原则。",
            "未编号的说明段落。",
            "1.坚持人民至上。",
            "2.坚持系统观念。",
            "二、主要任务",
            "（一）加强基础设施建设。",
            "1.推进网络建设。",
        ]
    );
    // Through the upload entry point as well.
    let d = decode_upload(Some("实施意见.docx"), &bytes).unwrap();
    assert_eq!(d.encoding, "docx");
    assert!(d.text.contains("\n二、主要任务\n"));
}

#[test]
fn docx_numbering_many_items_and_deleted_item() {
    let mut body = String::new();
    for i in 1..=12 {
        body.push_str(&numbered(1, 0, &format!("任务{i}")));
    }
    // A numbered paragraph deleted as a tracked change takes no number.
    body.push_str(r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr><w:rPr><w:del w:id="9" w:author="a"/></w:rPr></w:pPr><w:del w:id="10" w:author="a"><w:r><w:delText>删掉的任务</w:delText></w:r></w:del></w:p>"#);
    body.push_str(&numbered(1, 0, "最后"));
    let bytes = docx_with(&body, Some(WORK_PLAN_NUMBERING), None);
    let lines = lines_of(&bytes);
    assert_eq!(lines[9], "十、任务10");
    assert_eq!(lines[10], "十一、任务11");
    assert_eq!(lines[11], "十二、任务12");
    assert_eq!(lines[12], "十三、最后");
    assert_eq!(lines.len(), 13);
}

#[test]
fn docx_numbering_overrides_and_shared_definitions() {
    let numbering = format!(
        r#"{WORK_PLAN_NUMBERING}<w:num w:numId="2"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/></w:lvlOverride></w:num><w:num w:numId="3"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="4"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="2"><w:startOverride w:val="1"/></w:lvlOverride></w:num>"#
    );
    let body = [
        numbered(1, 0, "甲"),
        numbered(1, 2, "子"),
        numbered(1, 2, "丑"),
        // Another instance of the same list continues it …
        numbered(3, 0, "乙"),
        numbered(3, 2, "寅"),
        // … unless it overrides the start: restart at 5 (五).
        numbered(2, 0, "丙"),
        numbered(2, 0, "丁"),
        numbered(1, 2, "卯"),
        numbered(1, 2, "辰"),
        numbered(4, 2, "巳"),
        // Direct numId 0 switches numbering off.
        numbered(0, 0, "无编号"),
        // Unknown instance: no number.
        numbered(99, 0, "未知"),
    ]
    .concat();
    let bytes = docx_with(&body, Some(&numbering), None);
    assert_eq!(
        lines_of(&bytes),
        [
            "一、甲",
            "1.子",
            "2.丑",
            "二、乙",
            "1.寅",
            "五、丙",
            "六、丁",
            "1.卯",
            "2.辰",
            "1.巳",
            "无编号",
            "未知",
        ]
    );
}

#[test]
fn docx_numbering_formats_and_multi_level_text() {
    let numbering = r#"<w:abstractNum w:abstractNumId="7"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1"/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2"/></w:lvl><w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimalEnclosedCircle"/><w:lvlText w:val="%3"/></w:lvl><w:lvl w:ilvl="3"><w:start w:val="1"/><w:numFmt w:val="ideographTraditional"/><w:lvlText w:val="%4．"/></w:lvl><w:lvl w:ilvl="4"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val=""/></w:lvl><w:lvl w:ilvl="5"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="(%6)"/></w:lvl></w:abstractNum><w:abstractNum w:abstractNumId="8"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCountingThousand"/><w:lvlText w:val="第%1条"/><w:suff w:val="space"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="7"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="8"/></w:num>"#;
    let body = [
        numbered(1, 0, "总则"),
        numbered(1, 1, "目的"),
        numbered(1, 1, "范围"),
        numbered(1, 2, "甲项"),
        numbered(1, 2, "乙项"),
        numbered(1, 3, "细目"),
        numbered(1, 4, "要点"),
        numbered(1, 5, "小项"),
        numbered(1, 0, "职责"),
        numbered(1, 1, "分工"),
        numbered(2, 0, "为了规范……，制定本办法。"),
        numbered(2, 0, "本办法适用于……"),
    ]
    .concat();
    let bytes = docx_with(&body, Some(numbering), None);
    assert_eq!(
        lines_of(&bytes),
        [
            "1总则",
            "1.1目的",
            "1.2范围",
            "①甲项",
            "②乙项",
            "甲．细目",
            "要点",
            "(a)小项",
            "2职责",
            "2.1分工",
            "第一条为了规范……，制定本办法。",
            "第二条本办法适用于……",
        ]
    );
}

#[test]
fn docx_numbering_from_paragraph_style() {
    let numbering = r#"<w:abstractNum w:abstractNumId="3"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:pStyle w:val="Heading1"/><w:lvlText w:val="第%1章"/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:pStyle w:val="Heading2"/><w:lvlText w:val="第%2条"/><w:lvlRestart w:val="0"/></w:lvl></w:abstractNum><w:num w:numId="5"><w:abstractNumId w:val="3"/></w:num>"#;
    let styles = r#"<w:docDefaults/><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:numPr><w:numId w:val="5"/></w:numPr></w:pPr></w:style><w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="5"/></w:numPr></w:pPr></w:style><w:style w:type="paragraph" w:styleId="ArticleBody"><w:basedOn w:val="Heading2"/></w:style>"#;
    let styled = |style: &str, text: &str| {
        format!(
            r#"<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>"#
        )
    };
    let body = [
            styled("Heading1", "总则"),
            styled("Heading2", "为了规范管理，制定本条例。"),
            styled("Normal", "普通段落"),
            styled("ArticleBody", "本条例适用于本市。"),
            styled("Heading1", "管理"),
            // lvlRestart 0: articles are numbered on across chapters.
            styled("Heading2", "市人民政府负责……"),
            // Direct numId 0 turns the style's numbering off.
            r#"<w:p><w:pPr><w:pStyle w:val="Heading2"/><w:numPr><w:numId w:val="0"/></w:numPr></w:pPr><w:r><w:t>不编号</w:t></w:r></w:p>"#.to_owned(),
        ]
        .concat();
    let bytes = docx_with(&body, Some(numbering), Some(styles));
    assert_eq!(
        lines_of(&bytes),
        [
            "第一章总则",
            "第一条为了规范管理，制定本条例。",
            "普通段落",
            "第二条本条例适用于本市。",
            "第二章管理",
            "第三条市人民政府负责……",
            "不编号",
        ]
    );
}

#[test]
fn docx_numbering_alternate_content_uses_fallback() {
    let numbering = r#"<w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><mc:AlternateContent><mc:Choice Requires="w14"><w:numFmt w:val="custom" w:format="001, 002, 003, ..."/></mc:Choice><mc:Fallback><w:numFmt w:val="decimalZero"/></mc:Fallback></mc:AlternateContent><w:lvlText w:val="%1."/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>"#;
    let bytes = docx_with(&numbered(1, 0, "项"), Some(numbering), None);
    assert_eq!(lines_of(&bytes), ["01.项"]);
}

#[test]
fn docx_parts_found_through_relationships() {
    let rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/word/main.xml"/></Relationships>"#;
    let doc_rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="../word/lists.xml"/></Relationships>"#;
    let numbering = format!(r#"<w:numbering {W_DECL}>{WORK_PLAN_NUMBERING}</w:numbering>"#);
    let document = document_xml(&numbered(1, 0, "总体要求"));
    let bytes = zip_of(&[
        ("_rels/.rels", rels),
        ("word/_rels/main.xml.rels", doc_rels),
        ("word/main.xml", &document),
        ("word/lists.xml", &numbering),
    ]);
    assert_eq!(lines_of(&bytes), ["一、总体要求"]);
}

#[test]
fn docx_errors() {
    assert!(matches!(
        docx_to_text(b"PK\x03\x04 this is not really a zip file"),
        Err(DecodeError::BadDocx(_))
    ));
    assert!(matches!(
        decode_upload(Some("a.docx"), b"PK\x03\x04\x14\x00\x00\x00garbage"),
        Err(DecodeError::BadDocx(_))
    ));
    let no_document = zip_of(&[("word/styles.xml", "<w:styles/>"), ("readme.txt", "hi")]);
    let err = docx_to_text(&no_document).unwrap_err();
    assert!(matches!(&err, DecodeError::BadDocx(m) if m.contains("word/document.xml")));
    // The same package named as a spreadsheet is simply not supported.
    assert_eq!(
        decode_upload(Some("book.xlsx"), &no_document),
        Err(DecodeError::UnsupportedType)
    );
    let not_word = zip_of(&[(
        "word/document.xml",
        r#"<x:workbook xmlns:x="urn:other"><x:p>no</x:p></x:workbook>"#,
    )]);
    assert!(matches!(
        docx_to_text(&not_word),
        Err(DecodeError::BadDocx(_))
    ));
    let broken_xml = zip_of(&[(
        "word/document.xml",
        &document_xml("<w:p><w:r><w:t>unclosed</w:r></w:p>"),
    )]);
    assert!(matches!(
        docx_to_text(&broken_xml),
        Err(DecodeError::BadDocx(_))
    ));
    // A document without any text is an empty upload.
    let blank = docx_with("<w:p/><w:p><w:r><w:t> </w:t></w:r></w:p>", None, None);
    assert_eq!(docx_to_text(&blank).unwrap(), "\n ");
    assert_eq!(
        decode_upload(Some("a.docx"), &blank),
        Err(DecodeError::Empty)
    );
}

#[test]
fn docx_size_limit_on_main_document() {
    let body = para(&"长".repeat(1000));
    let bytes = docx_with(&body, None, None);
    let err = docx_to_text_limited(&bytes, 1024).unwrap_err();
    assert!(matches!(&err, DecodeError::BadDocx(m) if m.contains("too large")));
    assert!(docx_to_text_limited(&bytes, 10_000).is_ok());
}

#[test]
fn damaged_numbering_part_keeps_the_text() {
    let bytes = docx_with(&numbered(1, 0, "总体要求"), Some("<w:abstractNum"), None);
    assert_eq!(lines_of(&bytes), ["总体要求"]);
}
