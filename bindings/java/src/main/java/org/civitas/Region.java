package org.civitas;

/** A GB/T 2260 administrative division as resolved against the current division table. */
public final class Region {
  private final String code;
  private final boolean known;
  private final String province;
  private final String prefecture;
  private final String county;

  Region(String code, boolean known, String province, String prefecture, String county) {
    this.code = code;
    this.known = known;
    this.province = province;
    this.prefecture = prefecture;
    this.county = county;
  }

  /** The six-digit division code. */
  public String getCode() {
    return code;
  }

  /** True when the code is in the division table (current or abolished). */
  public boolean isKnown() {
    return known;
  }

  /** Province name, or null when unknown. */
  public String getProvince() {
    return province;
  }

  /** Prefecture name, or null when unknown or not applicable. */
  public String getPrefecture() {
    return prefecture;
  }

  /** County name, or null when unknown or not applicable. */
  public String getCounty() {
    return county;
  }

  @Override
  public String toString() {
    return "Region{" + code + (known ? " " + join() : " unknown") + "}";
  }

  private String join() {
    StringBuilder sb = new StringBuilder();
    for (String s : new String[] {province, prefecture, county}) {
      if (s != null) {
        sb.append(s);
      }
    }
    return sb.toString();
  }
}
