package org.civitas;

/** The state of a key in a keyring ({@link KeyInfo#getStatus()}). */
public enum KeyStatus {
  /** The key new data is protected with (one per purpose). */
  PRIMARY("primary"),
  /** Still used to decrypt and verify; not for new data. */
  ACTIVE("active"),
  /** Kept for old data; a rotation retired it. */
  RETIRED("retired"),
  /** Its secret is gone ({@link Workspace#destroyKey}): data under it can no longer be read. */
  DESTROYED("destroyed");

  private final String cName;

  KeyStatus(String cName) {
    this.cName = cName;
  }

  /** The name in the C API's JSON: "primary", "active", "retired", "destroyed". */
  public String cName() {
    return cName;
  }

  /**
   * The status of its C API name.
   *
   * @throws ParseException for an unknown name
   */
  public static KeyStatus fromName(String name) {
    for (KeyStatus s : values()) {
      if (s.cName.equals(name)) {
        return s;
      }
    }
    throw new ParseException("unknown key status \"" + name + "\"");
  }
}
