//! Where a material of an application comes from, and which ways the item
//! allows for it: an upload or an entry of the applicant's e-materials
//! library always; the applicant's 人口库/法人库 record (a 信息核验单) only
//! for a material whose catalogue entry names that kind of record; an
//! electronic licence only for a material naming a licence type; a 告知承诺
//! only for a material allowing one, and then instead of everything else.
//! The same rule for an application, a draft and a supplement.

use crate::catalog::Material;
use crate::registry::{slip_accepted, RecordKind};

/// One way of providing a material.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaterialSource {
    Upload,
    Library,
    /// The applicant's record in the 人口库 / 法人库.
    Registry,
    /// An electronic licence the applicant holds.
    License,
    /// A 告知承诺 signed instead of the material.
    Commitment,
}

/// Why the ways given for a material are refused. Each is reported with
/// the material's name as its detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceRefusal {
    /// A reference that names no way at all.
    Nothing,
    /// One reference naming several ways (an upload and a licence …).
    Several,
    /// The material takes no registry record, or not the applicant's kind.
    RegistryNotAccepted,
    /// The material is no licence type.
    LicenseNotAccepted,
    /// The material allows no 告知承诺.
    CommitmentNotAllowed,
    /// A 告知承诺 beside a file (an upload, a library entry, a record or a
    /// licence) for the same material.
    CommitmentWithMaterial,
}

impl SourceRefusal {
    /// The stable error code.
    pub fn code(self) -> &'static str {
        match self {
            SourceRefusal::Nothing => "invalid_material",
            SourceRefusal::Several => "material_several_sources",
            SourceRefusal::RegistryNotAccepted => "registry_not_accepted",
            SourceRefusal::LicenseNotAccepted => "license_not_accepted",
            SourceRefusal::CommitmentNotAllowed => "commitment_not_allowed",
            SourceRefusal::CommitmentWithMaterial => "commitment_with_material",
        }
    }
}

/// Checks every way one material is given in one request: `given` holds,
/// for each reference to the material, the ways that reference names. The
/// applicant's record is of `applicant`'s kind. A way the material does not
/// allow is reported first (it says what to do instead), then a commitment
/// beside anything else, then a reference naming several ways.
pub fn check_sources(m: &Material, applicant: RecordKind, given: &[Vec<MaterialSource>]) -> Result<(), SourceRefusal> {
    if given.iter().any(Vec::is_empty) {
        return Err(SourceRefusal::Nothing);
    }
    for s in given.iter().flatten() {
        match s {
            MaterialSource::Registry if !slip_accepted(&m.registry, applicant) => {
                return Err(SourceRefusal::RegistryNotAccepted)
            }
            MaterialSource::License if m.license_type_code.is_empty() => return Err(SourceRefusal::LicenseNotAccepted),
            MaterialSource::Commitment if !m.commitment => return Err(SourceRefusal::CommitmentNotAllowed),
            _ => {}
        }
    }
    let all: Vec<MaterialSource> = given.iter().flatten().copied().collect();
    if all.contains(&MaterialSource::Commitment) && all.len() > 1 {
        return Err(SourceRefusal::CommitmentWithMaterial);
    }
    if given.iter().any(|g| g.len() > 1) {
        return Err(SourceRefusal::Several);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use MaterialSource::*;
    use SourceRefusal::*;

    fn material(registry: &str, license: &str, commitment: bool) -> Material {
        Material {
            name: "营业执照".into(),
            registry: registry.into(),
            license_type_code: license.into(),
            commitment,
            ..Default::default()
        }
    }

    #[test]
    fn uploads_and_library_entries_serve_every_material() {
        let plain = material("", "", false);
        assert_eq!(check_sources(&plain, RecordKind::Person, &[vec![Upload], vec![Library], vec![Upload]]), Ok(()));
    }

    #[test]
    fn a_registry_record_serves_only_where_the_item_names_its_kind() {
        let p = RecordKind::Person;
        let c = RecordKind::Company;
        assert_eq!(check_sources(&material("", "", false), p, &[vec![Registry]]), Err(RegistryNotAccepted));
        assert_eq!(check_sources(&material("company", "", false), p, &[vec![Registry]]), Err(RegistryNotAccepted));
        assert_eq!(check_sources(&material("company", "", false), c, &[vec![Registry]]), Ok(()));
        assert_eq!(check_sources(&material("person", "", false), p, &[vec![Registry]]), Ok(()));
        assert_eq!(check_sources(&material("any", "", false), c, &[vec![Registry]]), Ok(()));
        // Beside an upload of the same material (two files of it): allowed.
        assert_eq!(check_sources(&material("any", "", false), c, &[vec![Registry], vec![Upload]]), Ok(()));
    }

    #[test]
    fn licences_and_commitments_only_where_allowed() {
        let p = RecordKind::Person;
        assert_eq!(check_sources(&material("", "", false), p, &[vec![License]]), Err(LicenseNotAccepted));
        assert_eq!(check_sources(&material("", "X", false), p, &[vec![License]]), Ok(()));
        assert_eq!(check_sources(&material("", "", false), p, &[vec![Commitment]]), Err(CommitmentNotAllowed));
        assert_eq!(check_sources(&material("", "", true), p, &[vec![Commitment]]), Ok(()));
        // Not allowed is said before "not beside a file".
        assert_eq!(check_sources(&material("", "", false), p, &[vec![Upload, Commitment]]), Err(CommitmentNotAllowed));
    }

    #[test]
    fn a_commitment_stands_alone() {
        let m = material("any", "X", true);
        let p = RecordKind::Person;
        for given in [
            vec![vec![Upload, Commitment]],
            vec![vec![Commitment], vec![Upload]],
            vec![vec![Library], vec![Commitment]],
            vec![vec![Commitment], vec![Registry]],
            vec![vec![Commitment], vec![License]],
            vec![vec![Commitment], vec![Commitment]],
        ] {
            assert_eq!(check_sources(&m, p, &given), Err(CommitmentWithMaterial), "{given:?}");
        }
    }

    #[test]
    fn one_reference_names_one_way() {
        let m = material("any", "X", true);
        assert_eq!(check_sources(&m, RecordKind::Person, &[vec![]]), Err(Nothing));
        assert_eq!(check_sources(&m, RecordKind::Person, &[vec![Upload, License]]), Err(Several));
        assert_eq!(check_sources(&m, RecordKind::Person, &[vec![Upload], vec![License]]), Ok(()));
    }
}
