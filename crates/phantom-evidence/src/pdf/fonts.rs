//! The report's three standard PDF fonts, which every reader has and so are not embedded:
//! their glyph widths (for wrapping) and the WinAnsi encoding their text is written in.

/// A font of the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Font {
    /// Helvetica: body text.
    Regular,
    /// Helvetica-Bold: titles, keys, table headers.
    Bold,
    /// Courier: hashes, keys and signatures, where every character counts.
    Mono,
}

impl Font {
    /// Every font, in the order of their resource names.
    pub(crate) const ALL: [Font; 3] = [Font::Regular, Font::Bold, Font::Mono];

    /// The name pages use for the font.
    pub(crate) fn resource(self) -> &'static [u8] {
        match self {
            Font::Regular => b"F1",
            Font::Bold => b"F2",
            Font::Mono => b"F3",
        }
    }

    /// The standard font's PostScript name.
    pub(crate) fn base_font(self) -> &'static [u8] {
        match self {
            Font::Regular => b"Helvetica",
            Font::Bold => b"Helvetica-Bold",
            Font::Mono => b"Courier",
        }
    }

    /// Width in points of the WinAnsi-encoded `text` at `size` points.
    pub(crate) fn width(self, text: &[u8], size: f32) -> f32 {
        let units: u32 = text.iter().map(|&byte| u32::from(self.glyph(byte))).sum();
        units as f32 * size / 1000.0
    }

    /// Width of the glyph for the WinAnsi code `byte`, in 1/1000 of the font size.
    fn glyph(self, byte: u8) -> u16 {
        let index = usize::from(byte.saturating_sub(0x20));
        match self {
            Font::Regular => HELVETICA.get(index).copied().unwrap_or(0),
            Font::Bold => HELVETICA_BOLD.get(index).copied().unwrap_or(0),
            Font::Mono => 600,
        }
    }
}

/// `text` in WinAnsi (Windows-1252), the encoding of the standard fonts. Newlines stay (the
/// layout breaks lines there), tabs and carriage returns become spaces, and characters the
/// encoding lacks become `?`; the second value says whether any did.
pub(crate) fn encode(text: &str) -> (Vec<u8>, bool) {
    let mut replaced = false;
    let bytes = text
        .chars()
        .map(|c| {
            winansi(c).unwrap_or_else(|| {
                replaced = true;
                b'?'
            })
        })
        .collect();
    (bytes, replaced)
}

fn winansi(c: char) -> Option<u8> {
    match c {
        '\n' => Some(b'\n'),
        '\t' | '\r' => Some(b' '),
        ' '..='~' | '\u{a0}'..='\u{ff}' => u8::try_from(c).ok(),
        '€' => Some(0x80),
        '‚' => Some(0x82),
        'ƒ' => Some(0x83),
        '„' => Some(0x84),
        '…' => Some(0x85),
        '†' => Some(0x86),
        '‡' => Some(0x87),
        'ˆ' => Some(0x88),
        '‰' => Some(0x89),
        'Š' => Some(0x8a),
        '‹' => Some(0x8b),
        'Œ' => Some(0x8c),
        'Ž' => Some(0x8e),
        '‘' => Some(0x91),
        '’' => Some(0x92),
        '“' => Some(0x93),
        '”' => Some(0x94),
        '•' => Some(0x95),
        '–' => Some(0x96),
        '—' => Some(0x97),
        '˜' => Some(0x98),
        '™' => Some(0x99),
        'š' => Some(0x9a),
        '›' => Some(0x9b),
        'œ' => Some(0x9c),
        'ž' => Some(0x9e),
        'Ÿ' => Some(0x9f),
        _ => None,
    }
}

// Advance widths from Adobe's Core 14 font metrics (AFM) for Helvetica and Helvetica-Bold,
// indexed by WinAnsi code from 0x20 to 0xFF; codes WinAnsi leaves unassigned are 0.
const HELVETICA: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
    0, 556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, 0, 222, 222,
    333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667, 278, 333, 556, 556, 556, 556,
    260, 556, 333, 737, 370, 556, 584, 333, 737, 333, 400, 584, 333, 333, 333, 578, 537, 278, 333,
    333, 365, 556, 834, 834, 834, 611, 667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667,
    278, 278, 278, 278, 722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667,
    611, 556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278, 556, 556,
    556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,
];

const HELVETICA_BOLD: [u16; 224] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667,
    611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556,
    278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
    0, 556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, 0, 278, 278,
    500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667, 278, 333, 556, 556, 556, 556,
    280, 556, 333, 737, 370, 556, 584, 333, 737, 333, 400, 584, 333, 333, 333, 611, 556, 278, 333,
    333, 365, 556, 834, 834, 834, 611, 722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667,
    278, 278, 278, 278, 722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667,
    611, 556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278, 611, 611,
    611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,
];

#[cfg(test)]
mod tests {
    use super::{Font, encode};

    #[test]
    fn latin_text_keeps_its_characters() {
        assert_eq!(
            encode("Café – 5 €"),
            (b"Caf\xe9 \x96 5 \x80".to_vec(), false)
        );
    }

    #[test]
    fn other_scripts_become_question_marks() {
        assert_eq!(encode("ошибка 错误 😀"), (b"?????? ?? ?".to_vec(), true));
    }

    #[test]
    fn widths_follow_the_font_metrics() {
        // Helvetica: 'i' 222 and 'W' 944; Courier is fixed at 600.
        assert!((Font::Regular.width(b"iW", 10.0) - 11.66).abs() < 1e-4);
        assert!((Font::Mono.width(b"iW", 10.0) - 12.0).abs() < 1e-4);
        assert!(Font::Bold.width(b"abc", 10.0) > Font::Regular.width(b"abc", 10.0));
    }
}
