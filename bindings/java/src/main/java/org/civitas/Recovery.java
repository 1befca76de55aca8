package org.civitas;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.civitas.internal.CivitasNative;
import org.civitas.internal.civ_key_source_kind;

/**
 * Backups and restore of a {@link Workspace} (docs/recovery.md, docs/formats/backup.md): one
 * file holding an online, consistent snapshot of the workspace and its workspace key,
 * encrypted to X25519 recovery keys and signed by the department.
 *
 * <pre>{@code
 * String keyId = Recovery.generateRecoveryKey(Paths.get("R.key"));   // R.key (0600), R.key.pub
 * Recovery.BackupInfo b = Recovery.backup(ws, Paths.get("mr.civbak"), Paths.get("R.key.pub"));
 * Recovery.verify(Paths.get("mr.civbak"), ws.exportPublic());
 * try (Workspace r = Recovery.restore(Paths.get("mr.civbak"), Paths.get("R.key"), Paths.get("new.db"), newKey)) { … }
 * }</pre>
 *
 * Errors: {@link IntegrityException} / {@link TruncatedException} (a changed or cut file),
 * {@link BadSignatureException} (not signed by the department), {@link NotRecipientException},
 * {@link AlreadyExistsException}. All methods are thread-safe.
 */
public final class Recovery {
  private Recovery() {}

  /** What a backup says about itself, once checked. */
  public static final class BackupInfo {
    private static final String WHAT = "backup summary";
    private final String json;
    public final String path;
    public final String backupId;
    public final long created;
    public final String workspaceId;
    public final String department;
    public final String signerKeyId;
    public final String auditOrigin;
    public final long auditSize;
    public final String auditRoot;
    public final long snapshotBytes;
    public final long bytes;
    public final List<String> recipients;

    private BackupInfo(String json) {
      this.json = json;
      Map<String, Object> o = JsonDoc.object(json, WHAT);
      path = JsonDoc.str(o, "path", WHAT);
      backupId = JsonDoc.str(o, "backup_id", WHAT);
      created = JsonDoc.lng(o, "created", WHAT);
      workspaceId = JsonDoc.str(o, "workspace_id", WHAT);
      department = JsonDoc.str(o, "department", WHAT);
      signerKeyId = JsonDoc.str(o, "signer_key_id", WHAT);
      Map<String, Object> a = JsonDoc.object(o.get("audit"), WHAT + ": audit");
      auditOrigin = JsonDoc.str(a, "origin", WHAT);
      auditSize = JsonDoc.lng(a, "size", WHAT);
      auditRoot = JsonDoc.str(a, "root", WHAT);
      snapshotBytes = JsonDoc.lng(o, "snapshot_bytes", WHAT);
      bytes = JsonDoc.lng(o, "bytes", WHAT);
      recipients = JsonDoc.strings(o, "recipients", WHAT);
    }

    /** The summary as the C API returned it (JSON). */
    public String json() {
      return json;
    }
  }

  /** Writes a new recovery key: {@code path} (private, mode 0600) and {@code path + ".pub"}; returns its id. */
  public static String generateRecoveryKey(Path path) {
    byte[] id = new byte[17];
    Errors.check(CivitasNative.civ_recovery_key_generate(id, pathString(path, "path")));
    return new String(id, 0, 16, StandardCharsets.US_ASCII);
  }

  /**
   * Backs the workspace up to {@code path} (which must not exist), encrypted to the recovery
   * public-key files; other threads and processes may keep writing. Audited as "backup.create".
   */
  public static BackupInfo backup(Workspace workspace, Path path, Path... recipients) {
    Errors.requireArg(workspace, "workspace");
    Errors.requireArg(recipients, "recipients");
    StringBuilder arr = new StringBuilder("[");
    for (Path r : recipients) {
      String text;
      try {
        text = new String(Files.readAllBytes(Errors.requireArg(r, "recipient")), StandardCharsets.UTF_8);
      } catch (java.io.IOException x) {
        throw new CivitasIOException("cannot read recovery public key " + r + ": " + x.getMessage());
      }
      arr.append(arr.length() > 1 ? "," : "").append(text);
    }
    String json = arr.append("]").toString();
    String p = pathString(path, "path");
    String[] out = new String[1];
    Errors.check(workspace.call(h -> CivitasNative.civ_backup_create(out, h, p, json)));
    return new BackupInfo(out[0]);
  }

  /** Checks a backup against the workspace's own signing keys, without restoring or decrypting it. */
  public static BackupInfo verify(Workspace workspace, Path backup) {
    Errors.requireArg(workspace, "workspace");
    String p = pathString(backup, "backup");
    String[] out = new String[1];
    Errors.check(workspace.call(h -> CivitasNative.civ_backup_verify(out, h, p)));
    return new BackupInfo(out[0]);
  }

  /** Checks a backup against a department's public-key document ({@link Workspace#exportPublic()}). */
  public static BackupInfo verify(Path backup, String keyDocument) {
    Errors.requireArg(keyDocument, "keyDocument");
    String[] out = new String[1];
    Errors.check(CivitasNative.civ_backup_verify_with(out, pathString(backup, "backup"), keyDocument));
    return new BackupInfo(out[0]);
  }

  /** Options of a restore: the department's key document, a witness's checkpoint. */
  public static final class RestoreOptions {
    String keyDocument = "";
    String checkpoint = "";

    /** The backup must be signed by this department's key document (checked before decrypting). */
    public RestoreOptions keyDocument(String doc) {
      this.keyDocument = Errors.requireArg(doc, "keyDocument");
      return this;
    }

    /** The latest checkpoint of the old log that a witness holds (a signed note). */
    public RestoreOptions checkpoint(String note) {
      this.checkpoint = Errors.requireArg(note, "checkpoint");
      return this;
    }
  }

  /** Restores a backup to {@code path} under a new raw 32-byte master key; returns it open. */
  public static Workspace restore(Path backup, Path recoveryKey, Path path, byte[] masterKey) {
    return restore(backup, recoveryKey, path, masterKey, new RestoreOptions());
  }

  /** As {@link #restore(Path, Path, Path, byte[])} with options. */
  public static Workspace restore(Path backup, Path recoveryKey, Path path, byte[] masterKey, RestoreOptions options) {
    Errors.requireArg(masterKey, "masterKey");
    if (masterKey.length != 32) {
      throw new InvalidArgumentException("masterKey: a raw master key is 32 bytes, not " + masterKey.length);
    }
    return restore(backup, recoveryKey, path, civ_key_source_kind.CIV_KEY_RAW, null, masterKey, options);
  }

  /** Restores a backup to {@code path} under a new passphrase; returns it open. */
  public static Workspace restore(Path backup, Path recoveryKey, Path path, char[] passphrase, RestoreOptions options) {
    Errors.requireArg(passphrase, "passphrase");
    return restore(backup, recoveryKey, path, civ_key_source_kind.CIV_KEY_PASSPHRASE, passphrase, null, options);
  }

  private static Workspace restore(Path backup, Path recoveryKey, Path path, int kind, char[] pass, byte[] key,
                                   RestoreOptions options) {
    RestoreOptions o = options == null ? new RestoreOptions() : options;
    long[] out = new long[1];
    Errors.check(CivitasNative.civj_restore(out, pathString(backup, "backup"), pathString(path, "path"),
        pathString(recoveryKey, "recoveryKey"), kind, pass, key, o.keyDocument, o.checkpoint));
    return Workspace.fromHandle(out[0]);
  }

  private static String pathString(Path p, String what) {
    return Errors.requireArg(p, what).toString();
  }
}
