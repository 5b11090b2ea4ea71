//! Reads the text of the State Council's yearly notice
//! (国务院办公厅关于XXXX年部分节假日安排的通知) into a proposed year: its holiday
//! spans and make-up working days, for an administrator to check and confirm.
//!
//! The notices have a fixed form, one festival a line:
//!
//! ```text
//! 一、元旦：1月1日（周三）放假1天，不调休。
//! 二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。
//! 六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。
//! ```
//!
//! A date without a year is in the notice's year; a year written once holds
//! for the dates after it in the same sentence (`2018年12月30日至2019年1月1日`).
//! The other lines (title, addressee, closing) are passed over; a festival line
//! that cannot be read is an error naming its line.

use chrono::NaiveDate;
use serde::Serialize;

use super::{HolidaySpan, MakeupDay};

/// What the text proposes for a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Proposal {
    pub holidays: Vec<HolidaySpan>,
    pub workdays: Vec<MakeupDay>,
    /// The notice's 文号 when the text holds one (e.g. 国办发明电〔2024〕12号).
    pub number: Option<String>,
}

/// Why the text could not be read: the line (1-based; 0 for the whole text)
/// and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoticeTextError {
    pub line: usize,
    pub reason: NoticeTextProblem,
}

crate::codes::code_list!(
    /// What is wrong with a line of a notice's text.
    NoticeTextProblem {
        NoFestival = "no_festival": "未找到任何节日安排（应为“一、元旦：……放假……”的格式）",
        NoColon = "no_colon": "缺少节日名称后的冒号",
        NoDaysOff = "no_days_off": "未找到放假日期",
        BadDate = "bad_date": "日期无法识别",
        BadSpan = "bad_span": "放假的结束日期早于开始日期",
    }
);

const NUMERALS: &str = "一二三四五六七八九十";

/// Reads the notice's text for `year`.
pub fn parse(year: i32, text: &str) -> Result<Proposal, NoticeTextError> {
    let mut out = Proposal { number: find_number(text), ..Proposal::default() };
    let mut festivals = 0;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let err = |reason| NoticeTextError { line: line_no, reason };
        let line = raw.trim();
        let Some(rest) = strip_numbering(line) else { continue };
        let Some((name, body)) = rest.split_once(['：', ':']) else {
            return Err(err(NoticeTextProblem::NoColon));
        };
        festivals += 1;
        let name = name.trim().to_string();
        let body = without_brackets(body);
        let mut found_off = false;
        for sentence in body.split(['。', '；', ';']) {
            if let Some(pos) = sentence.find("放假") {
                let dates = dates_in(year, &sentence[..pos]).map_err(err)?;
                let (from, to) = match dates.as_slice() {
                    [one] => (*one, *one),
                    [from, to] => (*from, *to),
                    _ => return Err(err(NoticeTextProblem::BadDate)),
                };
                if to < from {
                    return Err(err(NoticeTextProblem::BadSpan));
                }
                out.holidays.push(HolidaySpan { name: name.clone(), from, to });
                found_off = true;
            } else if let Some(pos) = sentence.find("上班") {
                if sentence.contains("不上班") {
                    continue;
                }
                for date in dates_in(year, &sentence[..pos]).map_err(err)? {
                    out.workdays.push(MakeupDay { date, name: name.clone() });
                }
            }
        }
        if !found_off {
            return Err(err(NoticeTextProblem::NoDaysOff));
        }
    }
    if festivals == 0 {
        return Err(NoticeTextError { line: 0, reason: NoticeTextProblem::NoFestival });
    }
    Ok(out)
}

/// The rest of a line numbered 一、 二、 … , or `None` for another line.
fn strip_numbering(line: &str) -> Option<&str> {
    let rest = line.trim_start_matches(|c| NUMERALS.contains(c));
    if rest.len() == line.len() {
        return None;
    }
    rest.strip_prefix('、').or_else(|| rest.strip_prefix('.')).or_else(|| rest.strip_prefix('．'))
}

/// The text without its remarks in brackets: （周三）, （农历除夕、周二）.
fn without_brackets(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '（' | '(' => depth += 1,
            '）' | ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The dates written in `s`, in order: `[YYYY年][M月]D日`, the year and month
/// carried over from the date before (the first from the notice's year).
fn dates_in(year: i32, s: &str) -> Result<Vec<NaiveDate>, NoticeTextProblem> {
    let mut out = Vec::new();
    let (mut y, mut m): (i32, Option<u32>) = (year, None);
    let mut num = String::new();
    for c in s.chars() {
        match c {
            '0'..='9' => num.push(c),
            '０'..='９' => num.push(char::from(b'0' + (c as u32 - '０' as u32) as u8)),
            '年' | '月' | '日' => {
                let n: u32 = num.parse().map_err(|_| NoticeTextProblem::BadDate)?;
                num.clear();
                match c {
                    '年' => y = i32::try_from(n).map_err(|_| NoticeTextProblem::BadDate)?,
                    '月' => m = Some(n),
                    _ => {
                        let month = m.ok_or(NoticeTextProblem::BadDate)?;
                        out.push(NaiveDate::from_ymd_opt(y, month, n).ok_or(NoticeTextProblem::BadDate)?);
                    }
                }
            }
            _ => num.clear(),
        }
    }
    if out.is_empty() {
        return Err(NoticeTextProblem::BadDate);
    }
    Ok(out)
}

/// The first 文号 in the text: `…〔YYYY〕N号`.
fn find_number(text: &str) -> Option<String> {
    let open = text.find('〔')?;
    let start = text[..open]
        .rfind(|c: char| c.is_whitespace() || "，。：:（(".contains(c))
        .map_or(0, |i| i + text[i..].chars().next().map_or(1, char::len_utf8));
    let end = open + text[open..].find('号')? + '号'.len_utf8();
    let number = text[start..end].trim();
    (number.chars().count() <= 40).then(|| number.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    const NOTICE_2025: &str = "国务院办公厅关于2025年部分节假日安排的通知\n\
        国办发明电〔2024〕12号\n\
        各省、自治区、直辖市人民政府，国务院各部委、各直属机构：\n\
        经国务院批准，现将2025年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。\n\
        一、元旦：1月1日（周三）放假1天，不调休。\n\
        二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。\n\
        三、清明节：4月4日（周五）至6日（周日）放假，共3天。\n\
        四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。4月27日（周日）上班。\n\
        五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。\n\
        六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。\n\
        节假日期间，各地区、各部门要妥善安排好值班和安全、保卫、疫情防控等工作。";

    #[test]
    fn reads_the_2025_notice_as_shipped() {
        let p = parse(2025, NOTICE_2025).unwrap();
        assert_eq!(p.number.as_deref(), Some("国办发明电〔2024〕12号"));
        let shipped = crate::calendar::shipped_years().into_iter().find(|s| s.year == 2025).unwrap();
        assert_eq!(p.holidays, shipped.holidays);
        assert_eq!(p.workdays, shipped.workdays);
    }

    #[test]
    fn a_year_written_once_holds_for_the_dates_after_it() {
        let p = parse(2019, "一、元旦：2018年12月30日至2019年1月1日放假调休，共3天。2018年12月29日（星期六）上班。")
            .unwrap();
        assert_eq!(p.holidays, vec![HolidaySpan { name: "元旦".into(), from: d("2018-12-30"), to: d("2019-01-01") }]);
        assert_eq!(p.workdays, vec![MakeupDay { date: d("2018-12-29"), name: "元旦".into() }]);
    }

    #[test]
    fn an_unreadable_line_is_named() {
        let text = "通知\n一、元旦：1月1日放假。\n二、春节：放假调休，共8天。";
        assert_eq!(parse(2027, text), Err(NoticeTextError { line: 3, reason: NoticeTextProblem::BadDate }));
        assert_eq!(
            parse(2027, "一、元旦1月1日放假。"),
            Err(NoticeTextError { line: 1, reason: NoticeTextProblem::NoColon })
        );
        assert_eq!(
            parse(2027, "一、元旦：1月1日。"),
            Err(NoticeTextError { line: 1, reason: NoticeTextProblem::NoDaysOff })
        );
        assert_eq!(
            parse(2027, "一、元旦：2月30日放假。"),
            Err(NoticeTextError { line: 1, reason: NoticeTextProblem::BadDate })
        );
        assert_eq!(
            parse(2027, "一、元旦：1月3日至1日放假。"),
            Err(NoticeTextError { line: 1, reason: NoticeTextProblem::BadSpan })
        );
        assert_eq!(
            parse(2027, "随便写点什么"),
            Err(NoticeTextError { line: 0, reason: NoticeTextProblem::NoFestival })
        );
    }
}
