//! The checklist an area is evaluated against before it is recognised as transformed.
//! Criteria are province-specific and change over time (Sơn La has issued several
//! versions), so a checklist is data with an id and a version, and an evaluation names
//! the version it answered.

use serde::{Deserialize, Serialize};

/// One item of a checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistItem {
    /// A short stable code, unique in the checklist (`no_sites`).
    pub code: String,
    /// The item as the province words it.
    pub text_vi: String,
    /// Whether the area must meet it to pass; other items are recorded but do not decide.
    pub required: bool,
}

/// A province's transformation checklist, one version of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checklist {
    /// Which checklist (a province may keep several).
    pub id: String,
    /// Its version; a changed list gets a new version, old evaluations keep theirs.
    pub version: u32,
    /// The items, in display order.
    pub items: Vec<ChecklistItem>,
}

/// An answer to one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// The item's code.
    pub code: String,
    /// Whether the area meets it.
    pub met: bool,
    /// The evidence or the reason, as the evaluator wrote it.
    pub note: Option<String>,
}

/// An evaluation of one area: the answers against one checklist version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The checklist version answered.
    pub checklist_version: u32,
    /// The answers; required items must all be answered, optional ones may be left out.
    pub answers: Vec<Answer>,
}

/// The outcome of an evaluation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationResult {
    /// Every required item is met.
    pub passed: bool,
    /// Required items in the checklist.
    pub required_total: usize,
    /// Required items met.
    pub required_met: usize,
    /// Optional items in the checklist.
    pub optional_total: usize,
    /// Optional items answered as met.
    pub optional_met: usize,
    /// Codes of the required items not met, in checklist order.
    pub failed_required: Vec<String>,
}

/// A checklist or an evaluation that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChecklistError {
    /// A checklist with no items.
    #[error("checklist '{id}' has no items")]
    Empty {
        /// The checklist.
        id: String,
    },
    /// Without a required item every area would pass.
    #[error("checklist '{id}' has no required item: at least one must be required")]
    NoRequiredItem {
        /// The checklist.
        id: String,
    },
    /// Two items share a code.
    #[error("checklist '{id}' has the item code '{code}' twice")]
    DuplicateItem {
        /// The checklist.
        id: String,
        /// The repeated code.
        code: String,
    },
    /// The evaluation answers another version of the checklist.
    #[error(
        "the evaluation answers version {evaluation_version} of checklist '{id}', which is at version {checklist_version}"
    )]
    VersionMismatch {
        /// The checklist.
        id: String,
        /// Its version.
        checklist_version: u32,
        /// The version the evaluation names.
        evaluation_version: u32,
    },
    /// An answer for an item the checklist does not have.
    #[error("checklist '{id}' version {version} has no item '{code}'")]
    UnknownItem {
        /// The checklist.
        id: String,
        /// Its version.
        version: u32,
        /// The code answered.
        code: String,
    },
    /// Two answers for one item.
    #[error("item '{code}' is answered twice")]
    DuplicateAnswer {
        /// The code.
        code: String,
    },
    /// Required items left unanswered.
    #[error("required items not answered: {}", codes.join(", "))]
    MissingRequired {
        /// Their codes, in checklist order.
        codes: Vec<String>,
    },
}

impl ChecklistError {
    /// The message in Vietnamese.
    pub fn message_vi(&self) -> String {
        match self {
            Self::Empty { id } => format!("Bộ tiêu chí «{id}» chưa có tiêu chí nào."),
            Self::NoRequiredItem { id } => format!(
                "Bộ tiêu chí «{id}» không có tiêu chí bắt buộc nào: cần ít nhất một tiêu chí bắt buộc."
            ),
            Self::DuplicateItem { id, code } => {
                format!("Bộ tiêu chí «{id}» có mã tiêu chí «{code}» bị trùng.")
            }
            Self::VersionMismatch { id, checklist_version, evaluation_version } => format!(
                "Phiếu đánh giá theo phiên bản {evaluation_version} của bộ tiêu chí «{id}», nhưng bộ tiêu chí đang là phiên bản {checklist_version}."
            ),
            Self::UnknownItem { id, version, code } => {
                format!("Bộ tiêu chí «{id}» phiên bản {version} không có tiêu chí «{code}».")
            }
            Self::DuplicateAnswer { code } => {
                format!("Tiêu chí «{code}» được trả lời hai lần.")
            }
            Self::MissingRequired { codes } => {
                format!("Chưa đánh giá các tiêu chí bắt buộc: {}.", codes.join(", "))
            }
        }
    }
}

impl Checklist {
    /// Checks the checklist itself: items present, codes unique, one required at least.
    pub fn validate(&self) -> Result<(), ChecklistError> {
        if self.items.is_empty() {
            return Err(ChecklistError::Empty { id: self.id.clone() });
        }
        for (k, item) in self.items.iter().enumerate() {
            if self.items[..k].iter().any(|other| other.code == item.code) {
                return Err(ChecklistError::DuplicateItem { id: self.id.clone(), code: item.code.clone() });
            }
        }
        if !self.items.iter().any(|i| i.required) {
            return Err(ChecklistError::NoRequiredItem { id: self.id.clone() });
        }
        Ok(())
    }

    /// An example checklist for a province, in Vietnamese: an editable starting point
    /// written for this project, not an official text. A province replaces it with its
    /// own decision's criteria.
    pub fn example_vi() -> Self {
        let item = |code: &str, text: &str, required: bool| ChecklistItem {
            code: code.to_owned(),
            text_vi: text.to_owned(),
            required,
        };
        Self {
            id: "vi-example".to_owned(),
            version: 1,
            items: vec![
                item("no_sites", "Không còn điểm, tụ điểm phức tạp về ma túy trên địa bàn", true),
                item(
                    "no_reformation",
                    "Không phát sinh điểm, tụ điểm mới; các điểm đã triệt xóa không tái hình thành",
                    true,
                ),
                item(
                    "persons_managed",
                    "Người nghiện, người sử dụng trái phép chất ma túy có hồ sơ đều được quản lý, cai nghiện hoặc điều trị",
                    true,
                ),
                item("no_drug_plants", "Không phát hiện trồng cây có chứa chất ma túy trên địa bàn", true),
                item(
                    "businesses_controlled",
                    "Cơ sở kinh doanh có điều kiện về an ninh, trật tự được kiểm tra và không bị lợi dụng để sử dụng trái phép chất ma túy",
                    true,
                ),
                item(
                    "propaganda_done",
                    "Công tác tuyên truyền, phổ biến pháp luật về phòng, chống ma túy được thực hiện đủ theo kế hoạch",
                    false,
                ),
                item("reports_handled", "Tin báo, tố giác về ma túy được tiếp nhận và xử lý kịp thời", false),
            ],
        }
    }
}

/// Evaluates an area's answers against a checklist: refuses an evaluation of another
/// version, an answer to an item that does not exist or answered twice, and required
/// items left unanswered; otherwise the area passes when every required item is met.
pub fn evaluate(checklist: &Checklist, evaluation: &Evaluation) -> Result<EvaluationResult, ChecklistError> {
    checklist.validate()?;
    if evaluation.checklist_version != checklist.version {
        return Err(ChecklistError::VersionMismatch {
            id: checklist.id.clone(),
            checklist_version: checklist.version,
            evaluation_version: evaluation.checklist_version,
        });
    }
    for (k, answer) in evaluation.answers.iter().enumerate() {
        if !checklist.items.iter().any(|i| i.code == answer.code) {
            return Err(ChecklistError::UnknownItem {
                id: checklist.id.clone(),
                version: checklist.version,
                code: answer.code.clone(),
            });
        }
        if evaluation.answers[..k].iter().any(|a| a.code == answer.code) {
            return Err(ChecklistError::DuplicateAnswer { code: answer.code.clone() });
        }
    }
    let answer_to = |code: &str| evaluation.answers.iter().find(|a| a.code == code);
    let missing: Vec<String> = checklist
        .items
        .iter()
        .filter(|i| i.required && answer_to(&i.code).is_none())
        .map(|i| i.code.clone())
        .collect();
    if !missing.is_empty() {
        return Err(ChecklistError::MissingRequired { codes: missing });
    }
    let met = |i: &&ChecklistItem| answer_to(&i.code).is_some_and(|a| a.met);
    let required: Vec<&ChecklistItem> = checklist.items.iter().filter(|i| i.required).collect();
    let optional: Vec<&ChecklistItem> = checklist.items.iter().filter(|i| !i.required).collect();
    let failed_required: Vec<String> = required.iter().filter(|i| !met(i)).map(|i| i.code.clone()).collect();
    Ok(EvaluationResult {
        passed: failed_required.is_empty(),
        required_total: required.len(),
        required_met: required.len() - failed_required.len(),
        optional_total: optional.len(),
        optional_met: optional.iter().filter(|i| met(i)).count(),
        failed_required,
    })
}
