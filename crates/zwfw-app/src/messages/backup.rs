//! The texts of the backup area.

/// Chinese text for a backup error code and its detail, if the code is one of the area's.
pub fn backup_text(code: &str, detail: Option<&str>) -> Option<String> {
    let t = match (code, detail) {
        ("backup_exists", _) => "备份文件已存在，请换一个文件名（不覆盖已有的备份）",
        ("backup_io", _) => "读写备份文件失败，请检查路径、权限和磁盘空间",
        ("backup_key_missing", _) => {
            "备份已加密（或要求加密），但系统未配置主密钥（ZWFW_MASTER_KEY 或配置文件 [licenses]）"
        }
        ("backup_wrong_key", _) => "备份文件完好，但它是用另一个主密钥加密的，当前配置的主密钥无法解密",
        ("backup_not_a_backup", _) => "该文件不是本系统的备份文件",
        ("backup_truncated", _) => "备份文件不完整（被截断），不能使用",
        ("backup_damaged", _) => "备份文件已损坏或被改动（校验不一致），不能使用",
        ("backup_newer_schema", _) => {
            "该备份由更新版本的系统生成（数据库结构版本更高），请使用相同或更新版本的程序恢复"
        }
        ("backup_value_type", _) => "数据库中有与列类型不符的数据，备份无法在两种数据库之间通用，备份未生成",
        ("backup_stored_file_damaged", _) => "文件库中有文件已损坏（内容与其SM3不符），备份未生成",
        ("backup_schema_changed", _) => "备份过程中数据库结构发生了变化（正在升级），请稍后重试",
        ("backup_structure", _) => "备份中的数据表或列与该版本的数据库结构不一致，不能恢复",
        ("restore_target_not_empty", _) => "恢复目标不是空的：只能恢复到空数据库和空数据目录，已有的数据不会被覆盖",
        ("restore_check_failed", _) => "恢复后的核对未通过，已全部撤销，数据库和数据目录保持原样",
        ("backup_not_configured", _) => "未配置备份目录（配置文件 [backup] dir 或环境变量 ZWFW_BACKUP_DIR）",
        ("backup_running", _) => "正在进行数据备份或恢复演练，请稍后再试",
        ("drill_no_backup", _) => "没有可用于恢复演练的成功备份",
        _ => return None,
    };
    Some(t.to_string())
}
