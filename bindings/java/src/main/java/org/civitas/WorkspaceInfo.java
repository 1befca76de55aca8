package org.civitas;

import java.time.Instant;
import java.util.Map;

/**
 * Facts about a workspace, from {@link Workspace#info()}: its file, random id, department,
 * name, creation time, schema version and how its master key is given. Immutable; no secrets.
 * {@link #toJson()} is the C API's JSON ({@code civ_ctx_info}).
 */
public final class WorkspaceInfo {
  private static final String WHAT = "workspace info";
  private final String json;
  private final String path;
  private final String workspaceId;
  private final String department;
  private final String name;
  private final long created;
  private final long schemaVersion;
  private final String keySource;

  private WorkspaceInfo(String json, Map<String, Object> o) {
    this.json = json;
    this.path = JsonDoc.str(o, "path", WHAT);
    this.workspaceId = JsonDoc.str(o, "workspace_id", WHAT);
    this.department = JsonDoc.optStr(o, "department", WHAT);
    this.name = JsonDoc.optStr(o, "name", WHAT);
    this.created = JsonDoc.lng(o, "created", 0, WHAT);
    this.schemaVersion = JsonDoc.lng(o, "schema_version", 0, WHAT);
    this.keySource = JsonDoc.str(o, "key_source", WHAT);
  }

  /**
   * Reads the JSON of {@link #toJson()} ({@code civ_ctx_info}, {@code civitas info --json}).
   *
   * @throws ParseException when it is not such a document
   */
  public static WorkspaceInfo fromJson(String json) {
    return new WorkspaceInfo(json, JsonDoc.object(json, WHAT));
  }

  /** The database file, as given when opening. */
  public String getPath() {
    return path;
  }

  /** 32 hex digits, random at creation. */
  public String getWorkspaceId() {
    return workspaceId;
  }

  /** The department's USCC; "" when the workspace has none. */
  public String getDepartment() {
    return department == null ? "" : department;
  }

  /** The department's name; "" when none was given. */
  public String getName() {
    return name == null ? "" : name;
  }

  /** Creation time in seconds since 1970 (UTC). */
  public long getCreatedSeconds() {
    return created;
  }

  /** Creation time. */
  public Instant getCreated() {
    return Instant.ofEpochSecond(created);
  }

  /** The version of the workspace module's own tables (each module keeps its own). */
  public long getSchemaVersion() {
    return schemaVersion;
  }

  /** "passphrase" (Argon2id) or "raw" (a 32-byte key from a KMS or HSM). */
  public String getKeySource() {
    return keySource;
  }

  /** The document as the C API returned it. */
  public String toJson() {
    return json;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WorkspaceInfo && ((WorkspaceInfo) o).json.equals(json);
  }

  @Override
  public int hashCode() {
    return json.hashCode();
  }

  @Override
  public String toString() {
    return "WorkspaceInfo{" + workspaceId + " " + getDepartment() + " " + path + "}";
  }
}
