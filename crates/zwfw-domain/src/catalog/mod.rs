//! The service-item catalogue (事项管理): the item model of GB/T 39046 表4
//! and the guide elements of the provincial rules (承德 第十条), the national
//! code lists A.1–A.6, the item's process, and the change-governance flow
//! (draft → legal review → service-centre approval → published).

mod code_lists;
mod example;
mod export;
mod forms;
mod governance;
mod item;

pub use code_lists::*;
pub use example::*;
pub use export::*;
pub use forms::*;
pub use governance::*;
pub use item::*;

#[cfg(test)]
pub mod tests;
