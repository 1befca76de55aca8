package org.civitas;

import org.civitas.internal.civ_id_parts;

/**
 * The parts of a parsed identifier, filled as far as the code could be parsed. Parts that
 * do not apply to the kind, or could not be read, are null.
 */
public final class IdParts {
  private final String authorityCode;
  private final String authorityName;
  private final String categoryCode;
  private final String categoryName;
  private final String orgcode;
  private final Region region;
  private final String birthDate;
  private final String sex;
  private final String sequence;
  private final String legacy;
  private final String check;

  private IdParts(civ_id_parts p) {
    authorityCode = character(p.getAuthority());
    authorityName = text(p.getAuthority_name());
    categoryCode = character(p.getCategory());
    categoryName = text(p.getCategory_name());
    orgcode = text(p.getOrgcode());
    String division = text(p.getDivision());
    region = division == null ? null
        : new Region(division, p.getRegion_known() != 0, text(p.getProvince()), text(p.getPrefecture()),
            text(p.getCounty()));
    birthDate = text(p.getBirth_date());
    sex = character(p.getSex());
    sequence = text(p.getSequence());
    legacy = text(p.getLegacy());
    check = character(p.getCheck());
  }

  static IdParts from(civ_id_parts p) {
    return new IdParts(p);
  }

  private static String text(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static String character(char c) {
    return c == 0 ? null : String.valueOf(c);
  }

  /** USCC: registration authority code ("9"), or null. */
  public String getAuthorityCode() {
    return authorityCode;
  }

  /** USCC: registration authority name ("工商"), or null. */
  public String getAuthorityName() {
    return authorityName;
  }

  /** USCC: entity category code ("1"), or null. */
  public String getCategoryCode() {
    return categoryCode;
  }

  /** USCC: entity category name ("企业"), or null. */
  public String getCategoryName() {
    return categoryName;
  }

  /** USCC: the embedded GB 11714 organisation code (9 characters), or null. */
  public String getOrgcode() {
    return orgcode;
  }

  /** USCC, resident ID, GB/T 2260: the division the code names, or null. */
  public Region getRegion() {
    return region;
  }

  /** Resident ID: birth date as YYYY-MM-DD, or null. */
  public String getBirthDate() {
    return birthDate;
  }

  /** Resident ID: "M" or "F", or null. */
  public String getSex() {
    return sex;
  }

  /** Resident ID: the three-digit order code, or null. */
  public String getSequence() {
    return sequence;
  }

  /** Resident ID: the 15-digit input when a legacy number was converted, else null. */
  public String getLegacy() {
    return legacy;
  }

  /** The check character as given, or null. */
  public String getCheck() {
    return check;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("IdParts{");
    append(sb, "authority", authorityCode, authorityName);
    append(sb, "category", categoryCode, categoryName);
    append(sb, "orgcode", orgcode, null);
    if (region != null) {
      sb.append(sb.length() > 8 ? ", " : "").append("region=").append(region);
    }
    append(sb, "birthDate", birthDate, null);
    append(sb, "sex", sex, null);
    append(sb, "sequence", sequence, null);
    append(sb, "legacy", legacy, null);
    append(sb, "check", check, null);
    return sb.append('}').toString();
  }

  private static void append(StringBuilder sb, String key, String value, String name) {
    if (value == null) {
      return;
    }
    sb.append(sb.length() > 8 ? ", " : "").append(key).append('=').append(value);
    if (name != null) {
      sb.append(" (").append(name).append(')');
    }
  }
}
