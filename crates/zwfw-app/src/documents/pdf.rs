//! The one documents renderer: A4 PDF with the shipped CJK font embedded as a
//! subset (CIDFontType2, Identity-H, with a ToUnicode map so the text can be
//! searched and copied). Output is deterministic: the same document gives the
//! same bytes, so a document rendered again is the same file.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;

static FONT: &[u8] = include_bytes!("../../../../data/fonts/wqy-microhei.ttc");
const FONT_NAME: &str = "ZWFWAA+WenQuanYiMicroHei";

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN_X: f32 = 72.0;
const TOP: f32 = 770.0;
const BOTTOM: f32 = 72.0;
const NO_LINE_START: &str = "，。、：；！？）》」』”’,.:;!?)";

/// How a block is placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// A block of text: wrapped to the page width, with a first-line indent of two characters for paragraphs.
#[derive(Debug, Clone)]
pub struct Block {
    pub text: String,
    pub size: f32,
    pub align: Align,
    pub indent: bool,
    /// Space before the block, in points.
    pub space_before: f32,
}

impl Block {
    pub fn new(text: impl Into<String>, size: f32, align: Align) -> Block {
        Block { text: text.into(), size, align, indent: false, space_before: 0.0 }
    }
    pub fn para(text: impl Into<String>) -> Block {
        Block { text: text.into(), size: 12.0, align: Align::Left, indent: true, space_before: 4.0 }
    }
    pub fn gap(mut self, pts: f32) -> Block {
        self.space_before = pts;
        self
    }
}

/// A column of a table: its heading, its share of the width, its alignment.
#[derive(Debug, Clone)]
pub struct Column {
    pub heading: String,
    pub width: f32,
    pub align: Align,
}

impl Column {
    pub fn new(heading: impl Into<String>, width: f32, align: Align) -> Column {
        Column { heading: heading.into(), width, align }
    }
}

/// A ruled table: the heading row is repeated on every page it runs onto.
#[derive(Debug, Clone)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
    pub size: f32,
    pub space_before: f32,
}

/// A QR code in the flow, at the left margin, with its caption under it
/// and text blocks beside it (their alignment within the width left).
#[derive(Debug, Clone)]
pub struct QrFigure {
    /// What the code holds.
    pub text: String,
    /// The side of the code, quiet zone included, in points.
    pub side: f32,
    /// A short line under the code (e.g. 扫码核验), centred on it.
    pub caption: String,
    pub beside: Vec<Block>,
    pub space_before: f32,
}

/// What a document is made of.
#[derive(Debug, Clone)]
pub enum Part {
    Text(Block),
    Table(Table),
    /// A ruled table without a heading row (label and value rows).
    Rows(Table),
    Qr(QrFigure),
}

/// The page's orientation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    Portrait,
    Landscape,
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("font: {0}")]
    Font(String),
    #[error("qr code: {0}")]
    Qr(String),
}

struct Font<'a> {
    face: ttf_parser::Face<'a>,
    upem: f32,
}

impl<'a> Font<'a> {
    fn load() -> Result<Font<'static>, PdfError> {
        let face = ttf_parser::Face::parse(FONT, 0).map_err(|e| PdfError::Font(e.to_string()))?;
        let upem = f32::from(face.units_per_em());
        Ok(Font { face, upem })
    }
    fn glyph(&self, c: char) -> u16 {
        self.face.glyph_index(c).map(|g| g.0).unwrap_or(0)
    }
    /// Advance of a glyph in thousandths of the font size.
    fn advance(&self, gid: u16) -> f32 {
        self.face.glyph_hor_advance(ttf_parser::GlyphId(gid)).map(f32::from).unwrap_or(self.upem) * 1000.0 / self.upem
    }
}

/// A positioned line of text.
struct Line {
    x: f32,
    y: f32,
    size: f32,
    text: String,
}

/// What is drawn on a page: text, the rectangles of table cells, and the
/// filled rectangles of QR codes.
#[derive(Default)]
struct Page {
    lines: Vec<Line>,
    boxes: Vec<(f32, f32, f32, f32)>,
    fills: Vec<(f32, f32, f32, f32)>,
}

/// Quiet zone around a QR code, in modules (ISO/IEC 18004 asks for 4).
const QR_QUIET: usize = 4;

/// The dark modules of a QR code as filled rectangles, one per horizontal
/// run, the code's top-left corner at (`x`, `top`) and its side `side`
/// (quiet zone included).
fn qr_fills(text: &str, x: f32, top: f32, side: f32) -> Result<Vec<(f32, f32, f32, f32)>, PdfError> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| PdfError::Qr(e.to_string()))?;
    let n = code.width();
    let colors = code.to_colors();
    let m = side / (n + 2 * QR_QUIET) as f32;
    let mut out = vec![];
    for row in 0..n {
        let mut col = 0;
        while col < n {
            if colors[row * n + col] != qrcode::Color::Dark {
                col += 1;
                continue;
            }
            let start = col;
            while col < n && colors[row * n + col] == qrcode::Color::Dark {
                col += 1;
            }
            let y = top - (row + QR_QUIET + 1) as f32 * m;
            out.push((x + (start + QR_QUIET) as f32 * m, y, (col - start) as f32 * m, m));
        }
    }
    Ok(out)
}

fn wrap(font: &Font<'_>, b: &Block, width: f32) -> Vec<(String, f32)> {
    let mut out = vec![];
    for para in b.text.split('\n') {
        let mut line = String::new();
        let mut w = 0.0;
        let mut first = true;
        let indent = if b.indent { 2.0 * b.size } else { 0.0 };
        if b.indent {
            w = indent;
        }
        for c in para.chars() {
            let cw = font.advance(font.glyph(c)) * b.size / 1000.0;
            let avail = width;
            // Closing punctuation never starts a line (避头点).
            if w + cw > avail && !line.is_empty() && !NO_LINE_START.contains(c) {
                out.push((std::mem::take(&mut line), if first { indent } else { 0.0 }));
                first = false;
                w = 0.0;
            }
            line.push(c);
            w += cw;
        }
        out.push((line, if first { indent } else { 0.0 }));
    }
    out
}

fn width_of(font: &Font<'_>, s: &str, size: f32) -> f32 {
    s.chars().map(|c| font.advance(font.glyph(c))).sum::<f32>() * size / 1000.0
}

/// The page's width and height in points.
fn page_size(o: Orientation) -> (f32, f32) {
    match o {
        Orientation::Portrait => (PAGE_W, PAGE_H),
        Orientation::Landscape => (PAGE_H, PAGE_W),
    }
}

/// Lays the parts out on A4 pages.
fn layout(font: &Font<'_>, parts: &[Part], o: Orientation) -> Result<Vec<Page>, PdfError> {
    let (page_w, page_h) = page_size(o);
    let margin_x = if o == Orientation::Landscape { 48.0 } else { MARGIN_X };
    let top = page_h - (PAGE_H - TOP);
    let width = page_w - 2.0 * margin_x;
    let mut pages = vec![Page::default()];
    let mut y = top;
    for part in parts {
        match part {
            Part::Text(b) => {
                y -= b.space_before;
                for (text, indent) in wrap(font, b, width) {
                    let lh = b.size * 1.75;
                    if y - lh < BOTTOM {
                        pages.push(Page::default());
                        y = top;
                    }
                    y -= lh;
                    let tw = width_of(font, &text, b.size);
                    let x = match b.align {
                        Align::Left => margin_x + indent,
                        Align::Center => (page_w - tw) / 2.0,
                        Align::Right => page_w - margin_x - tw,
                    };
                    pages.last_mut().expect("a page").lines.push(Line { x, y, size: b.size, text });
                }
            }
            Part::Table(t) | Part::Rows(t) => {
                y -= t.space_before;
                let total: f32 = t.columns.iter().map(|c| c.width).sum::<f32>().max(1.0);
                let widths: Vec<f32> = t.columns.iter().map(|c| c.width / total * width).collect();
                let head = match part {
                    Part::Table(_) => {
                        let heading: Vec<String> = t.columns.iter().map(|c| c.heading.clone()).collect();
                        Some(cells(font, t, &widths, &heading))
                    }
                    _ => None,
                };
                if let Some(head) = &head {
                    if y - head.height - TABLE_LH_FACTOR * t.size < BOTTOM {
                        pages.push(Page::default());
                        y = top;
                    }
                    draw_row(pages.last_mut().expect("a page"), &mut y, margin_x, t, &widths, head, true);
                }
                for row in &t.rows {
                    let r = cells(font, t, &widths, row);
                    if y - r.height < BOTTOM {
                        pages.push(Page::default());
                        y = top;
                        if let Some(head) = &head {
                            draw_row(pages.last_mut().expect("a page"), &mut y, margin_x, t, &widths, head, true);
                        }
                    }
                    draw_row(pages.last_mut().expect("a page"), &mut y, margin_x, t, &widths, &r, false);
                }
            }
            Part::Qr(q) => {
                y -= q.space_before;
                let caption = Block::new(q.caption.clone(), 9.0, Align::Center);
                let caption_h = if q.caption.is_empty() { 0.0 } else { caption.size * 1.75 };
                let gap = 18.0;
                let beside_w = (width - q.side - gap).max(1.0);
                let beside_lines: Vec<(&Block, Vec<(String, f32)>)> =
                    q.beside.iter().map(|b| (b, wrap(font, b, beside_w))).collect();
                let beside_h: f32 =
                    beside_lines.iter().map(|(b, lines)| b.space_before + lines.len() as f32 * b.size * 1.75).sum();
                if y - (q.side + caption_h).max(beside_h) < BOTTOM {
                    pages.push(Page::default());
                    y = top;
                }
                let page = pages.last_mut().expect("a page");
                page.fills.extend(qr_fills(&q.text, margin_x, y, q.side)?);
                if caption_h > 0.0 {
                    let tw = width_of(font, &q.caption, caption.size);
                    let cy = y - q.side - caption.size * 1.2;
                    page.lines.push(Line {
                        x: margin_x + (q.side - tw) / 2.0,
                        y: cy,
                        size: caption.size,
                        text: q.caption.clone(),
                    });
                }
                // The text beside the code: its lines from the code's top.
                let left = margin_x + q.side + gap;
                let mut ty = y;
                for (b, lines) in beside_lines {
                    ty -= b.space_before;
                    for (text, indent) in lines {
                        ty -= b.size * 1.75;
                        let tw = width_of(font, &text, b.size);
                        let x = match b.align {
                            Align::Left => left + indent,
                            Align::Center => left + (beside_w - tw) / 2.0,
                            Align::Right => page_w - margin_x - tw,
                        };
                        page.lines.push(Line { x, y: ty, size: b.size, text });
                    }
                }
                y = ty.min(y - q.side - caption_h);
            }
        }
    }
    Ok(pages)
}

const TABLE_PAD: f32 = 3.0;
const TABLE_LH_FACTOR: f32 = 1.4;

/// A table row's cells wrapped to their columns, with the row's height.
struct Row {
    lines: Vec<Vec<(String, f32)>>,
    height: f32,
}

fn cells(font: &Font<'_>, t: &Table, widths: &[f32], texts: &[String]) -> Row {
    let lines: Vec<Vec<(String, f32)>> = widths
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let text = texts.get(i).cloned().unwrap_or_default();
            let b = Block::new(text, t.size, Align::Left);
            wrap(font, &b, w - 2.0 * TABLE_PAD)
                .into_iter()
                .map(|(l, _)| {
                    let tw = width_of(font, &l, t.size);
                    (l, tw)
                })
                .collect()
        })
        .collect();
    let n = lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
    Row { lines, height: n as f32 * t.size * TABLE_LH_FACTOR + 2.0 * TABLE_PAD }
}

fn draw_row(page: &mut Page, y: &mut f32, left: f32, t: &Table, widths: &[f32], r: &Row, heading: bool) {
    let lh = t.size * TABLE_LH_FACTOR;
    let mut x = left;
    for (i, lines) in r.lines.iter().enumerate() {
        let w = widths[i];
        page.boxes.push((x, *y - r.height, w, r.height));
        let align = if heading { Align::Center } else { t.columns[i].align };
        for (k, (l, tw)) in lines.iter().enumerate() {
            let lx = match align {
                Align::Left => x + TABLE_PAD,
                Align::Center => x + (w - tw) / 2.0,
                Align::Right => x + w - TABLE_PAD - tw,
            };
            let ly = *y - TABLE_PAD - (k as f32 + 1.0) * lh + (lh - t.size) * 0.6;
            page.lines.push(Line { x: lx, y: ly, size: t.size, text: l.clone() });
        }
        x += w;
    }
    *y -= r.height;
}

fn utf16_hex(c: char) -> String {
    let mut buf = [0u16; 2];
    c.encode_utf16(&mut buf).iter().map(|u| format!("{u:04X}")).collect()
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).expect("in memory");
    e.finish().expect("in memory")
}

/// Renders the blocks as a portrait PDF.
pub fn render(title: &str, blocks: &[Block]) -> Result<Vec<u8>, PdfError> {
    let parts: Vec<Part> = blocks.iter().cloned().map(Part::Text).collect();
    render_parts(title, &parts, Orientation::Portrait)
}

/// Renders text and tables as a PDF.
pub fn render_parts(title: &str, parts: &[Part], orientation: Orientation) -> Result<Vec<u8>, PdfError> {
    render_doc(title, parts, orientation, false)
}

/// Renders a portrait certificate: the parts inside a double frame drawn
/// on every page.
pub fn render_certificate(title: &str, parts: &[Part]) -> Result<Vec<u8>, PdfError> {
    render_doc(title, parts, Orientation::Portrait, true)
}

fn render_doc(title: &str, parts: &[Part], orientation: Orientation, framed: bool) -> Result<Vec<u8>, PdfError> {
    let font = Font::load()?;
    let pages = layout(&font, parts, orientation)?;
    let (page_w, page_h) = page_size(orientation);
    // Glyphs used, remapped into the subset.
    let mut remap = subsetter::GlyphRemapper::new();
    let mut to_unicode: BTreeMap<u16, char> = BTreeMap::new();
    let mut widths: BTreeMap<u16, f32> = BTreeMap::new();
    let mut contents = vec![];
    for page in &pages {
        let mut s = String::new();
        if framed {
            let _ = writeln!(s, "2 w 28 28 {:.2} {:.2} re S", page_w - 56.0, page_h - 56.0);
            let _ = writeln!(s, "0.6 w 34 34 {:.2} {:.2} re S", page_w - 68.0, page_h - 68.0);
        }
        if !page.fills.is_empty() {
            for (x, y, w, h) in &page.fills {
                let _ = writeln!(s, "{x:.2} {y:.2} {w:.2} {h:.2} re");
            }
            s.push_str("f\n");
        }
        if !page.boxes.is_empty() {
            s.push_str("0.5 w\n");
            for (x, y, w, h) in &page.boxes {
                let _ = writeln!(s, "{x:.2} {y:.2} {w:.2} {h:.2} re S");
            }
        }
        for l in &page.lines {
            let mut hex = String::new();
            for c in l.text.chars() {
                let old = font.glyph(c);
                let new = remap.remap(old);
                to_unicode.entry(new).or_insert(c);
                widths.entry(new).or_insert_with(|| font.advance(old));
                let _ = write!(hex, "{new:04X}");
            }
            let _ = writeln!(s, "BT /F1 {:.1} Tf {:.2} {:.2} Td <{hex}> Tj ET", l.size, l.x, l.y);
        }
        contents.push(s);
    }
    let subset = subsetter::subset(FONT, 0, &remap).map_err(|e| PdfError::Font(format!("{e:?}")))?;

    let mut objects: Vec<Vec<u8>> = vec![];
    let stream = |dict: &str, data: &[u8]| -> Vec<u8> {
        let z = deflate(data);
        let mut o = format!("<< {dict} /Length {} /Filter /FlateDecode >>\nstream\n", z.len()).into_bytes();
        o.extend_from_slice(&z);
        o.extend_from_slice(b"\nendstream");
        o
    };
    // 1 catalog, 2 pages, 3 type0, 4 cidfont, 5 descriptor, 6 fontfile, 7 tounicode, 8 info, then pages.
    let n_pages = pages.len();
    let page_ids: Vec<usize> = (0..n_pages).map(|i| 9 + 2 * i).collect();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    let kids: Vec<String> = page_ids.iter().map(|i| format!("{i} 0 R")).collect();
    objects.push(format!("<< /Type /Pages /Kids [{}] /Count {n_pages} >>", kids.join(" ")).into_bytes());
    objects.push(
        format!(
            "<< /Type /Font /Subtype /Type0 /BaseFont /{FONT_NAME} /Encoding /Identity-H /DescendantFonts [4 0 R] /ToUnicode 7 0 R >>"
        )
        .into_bytes(),
    );
    let mut w = String::new();
    for (gid, adv) in &widths {
        let _ = write!(w, "{gid} [{adv:.0}] ");
    }
    objects.push(
        format!(
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{FONT_NAME} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
             /FontDescriptor 5 0 R /DW 1000 /W [{w}] /CIDToGIDMap /Identity >>"
        )
        .into_bytes(),
    );
    let bb = font.face.global_bounding_box();
    let scale = |v: i16| f32::from(v) * 1000.0 / font.upem;
    objects.push(
        format!(
            "<< /Type /FontDescriptor /FontName /{FONT_NAME} /Flags 4 /FontBBox [{:.0} {:.0} {:.0} {:.0}] /ItalicAngle 0 \
             /Ascent {:.0} /Descent {:.0} /CapHeight {:.0} /StemV 80 /FontFile2 6 0 R >>",
            scale(bb.x_min),
            scale(bb.y_min),
            scale(bb.x_max),
            scale(bb.y_max),
            scale(font.face.ascender()),
            scale(font.face.descender()),
            scale(font.face.capital_height().unwrap_or(font.face.ascender())),
        )
        .into_bytes(),
    );
    objects.push(stream(&format!("/Length1 {}", subset.len()), &subset));
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<_> = to_unicode.iter().collect();
    for chunk in entries.chunks(100) {
        let _ = writeln!(cmap, "{} beginbfchar", chunk.len());
        for (gid, c) in chunk {
            let _ = writeln!(cmap, "<{gid:04X}> <{}>", utf16_hex(**c));
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    objects.push(stream("", cmap.as_bytes()));
    let title_hex: String = std::iter::once("FEFF".to_string()).chain(title.chars().map(utf16_hex)).collect();
    objects.push(format!("<< /Title <{title_hex}> /Producer (zwfw) >>").into_bytes());
    for (i, c) in contents.iter().enumerate() {
        let content_id = page_ids[i] + 1;
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {page_w} {page_h}] /Resources << /Font << /F1 3 0 R >> >> /Contents {content_id} 0 R >>"
            )
            .into_bytes(),
        );
        objects.push(stream("", c.as_bytes()));
    }

    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = vec![];
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    let mut x = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for off in offsets {
        let _ = writeln!(x, "{off:010} 00000 n ");
    }
    let _ = write!(x, "trailer\n<< /Size {} /Root 1 0 R /Info 8 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1);
    out.extend_from_slice(x.as_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_chinese_deterministically_and_pages_long_text() {
        let blocks = vec![
            Block::new("准予行政许可决定书", 20.0, Align::Center),
            Block::para("张三：你于2026年11月2日提出的食品经营许可申请，经审查，符合法定条件。".repeat(3)),
        ];
        let a = render("准予行政许可决定书", &blocks).unwrap();
        if let Ok(path) = std::env::var("ZWFW_PDF_SAMPLE") {
            std::fs::write(path, &a).unwrap();
        }
        assert!(a.starts_with(b"%PDF-1.7"));
        assert_eq!(a, render("准予行政许可决定书", &blocks).unwrap(), "same input, same bytes");
        assert!(a.len() < 200_000, "the font is subset: {} bytes", a.len());
        let long: Vec<Block> = (0..80).map(|i| Block::para(format!("第{i}段，内容较长的正文。"))).collect();
        let b = render("长文", &long).unwrap();
        let pages = String::from_utf8_lossy(&b).matches("/Type /Page ").count();
        assert!(pages >= 3, "{pages} pages");
    }

    #[test]
    fn tables_wrap_cells_and_repeat_their_heading_on_every_page() {
        let table = Table {
            columns: vec![Column::new("名次", 1.0, Align::Right), Column::new("部门", 4.0, Align::Left)],
            rows: (1..=120)
                .map(|i| vec![i.to_string(), "示例市市场监督管理局".repeat(if i == 3 { 6 } else { 1 })])
                .collect(),
            size: 10.0,
            space_before: 0.0,
        };
        let parts = vec![Part::Text(Block::new("排名", 16.0, Align::Center)), Part::Table(table)];
        let font = Font::load().unwrap();
        let pages = layout(&font, &parts, Orientation::Landscape).unwrap();
        assert!(pages.len() >= 4, "{} pages", pages.len());
        let heading_glyphs = |p: &Page| p.lines.iter().filter(|l| l.text == "名次").count();
        assert!(pages.iter().all(|p| heading_glyphs(p) == 1), "the heading on every page");
        // The long cell wrapped: row 3 is taller than row 2.
        let first = &pages[0];
        let height = |row: usize| first.boxes[2 * row].3;
        assert!(height(3) > height(2) * 1.5, "{} vs {}", height(3), height(2));
        assert!(first.lines.iter().all(|l| l.y >= BOTTOM - 1.0));
        let a = render_parts("排名", &parts, Orientation::Landscape).unwrap();
        assert_eq!(a, render_parts("排名", &parts, Orientation::Landscape).unwrap());
        assert!(String::from_utf8_lossy(&a).contains("/MediaBox [0 0 841.89 595.28]"));
    }
}
