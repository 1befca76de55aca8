package org.civitas;

import java.nio.file.Path;
import java.util.List;
import org.civitas.internal.CivitasNative;
import org.civitas.internal.Utf8;
import org.civitas.internal.civ_key_purpose;
import org.civitas.internal.civ_key_source_kind;

/**
 * A workspace ({@code civ_ctx}): one SQLCipher database file plus its header file
 * ({@code <path>.header}) holding the department's identity, its keyring (field, token,
 * identity, signing and exchange keys) and the peer directory. The protection primitives
 * that use the keyring are on {@link #crypto()}.
 *
 * <pre>{@code
 * char[] pw = console.readPassword("passphrase: ");
 * try (Workspace ws = Workspace.open(Path.of("civitas.db"), pw)) {
 *   byte[] ct = ws.crypto().encryptField("110101199003074477", "tax.payers", "ric", "17");
 * } finally {
 *   Arrays.fill(pw, '\0');
 * }
 * }</pre>
 *
 * <p>Key sources: a passphrase as {@code char[]} (Argon2id turns it into the master key) or a
 * raw 32-byte master key as {@code byte[]} (from a KMS or HSM). The native side copies either
 * straight into locked memory and wipes that copy after the call; the caller's array is the
 * caller's to clear (docs/java.md, "Secrets"). There is deliberately no {@code String}
 * overload: a String cannot be wiped.
 *
 * <p>Errors: {@link WrongKeyException} "wrong key, or not a civitas workspace",
 * {@link IntegrityException} (damaged file), {@link NotFoundException},
 * {@link AlreadyExistsException}, {@link UnsupportedVersionException} (a newer file),
 * {@link BusyException}, {@link CivitasIOException}. A Workspace may be used from many
 * threads at once; do not close it while another thread uses it. Using a closed workspace
 * throws {@link IllegalStateException}.
 */
public final class Workspace extends NativeHandle {
  /** Key purposes, as the C API's {@code civ_key_purpose}. */
  public enum Purpose {
    /** XChaCha20-Poly1305 field encryption. */
    FIELD(civ_key_purpose.CIV_PURPOSE_FIELD),
    /** AES-256-SIV deterministic tokens. */
    TOKEN(civ_key_purpose.CIV_PURPOSE_TOKEN),
    /** Keyed identity pseudonyms. */
    IDENTITY(civ_key_purpose.CIV_PURPOSE_IDENTITY),
    /** Ed25519 signatures of packages and key documents. */
    SIGNING(civ_key_purpose.CIV_PURPOSE_SIGNING),
    /** X25519: package file keys and identity-secret shares. */
    EXCHANGE(civ_key_purpose.CIV_PURPOSE_EXCHANGE),
    /** Ed25519 signatures of audit checkpoints only. */
    CHECKPOINT(civ_key_purpose.CIV_PURPOSE_CHECKPOINT),
    /** Ed25519: {@link Crypto} sign and verify. */
    USER_SIGNING(civ_key_purpose.CIV_PURPOSE_USER_SIGNING),
    /** X25519: {@link Crypto} seal and unseal. */
    USER_SEALING(civ_key_purpose.CIV_PURPOSE_USER_SEALING);

    final int code;

    Purpose(int code) {
      this.code = code;
    }

    /**
     * The name in the C API's JSON and the CLI: "field", "token", "identity", "signing",
     * "exchange", "checkpoint", "user-signing", "user-sealing".
     */
    public String cName() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /**
     * The purpose of its C API name.
     *
     * @throws ParseException for an unknown name
     */
    public static Purpose fromName(String name) {
      for (Purpose p : values()) {
        if (p.cName().equals(name)) {
          return p;
        }
      }
      throw new ParseException("unknown key purpose \"" + name + "\"");
    }
  }

  /**
   * Options of {@link #create} and {@link #open}: department and name (create only), the
   * busy timeout, the Argon2id cost used when a passphrase makes a new master key
   * (create, {@link #changeMaster(char[], Options)}), and read-only (open only). Unset values
   * are the C defaults.
   */
  public static final class Options {
    String department;
    String name;
    int busyTimeoutMillis;
    long kdfOpsLimit;
    long kdfMemLimit;
    boolean readOnly;

    /** The department's USCC (validated: {@link InvalidDataException} when not valid). */
    public Options department(String uscc) {
      this.department = uscc;
      return this;
    }

    /** The department's name (UTF-8). */
    public Options name(String name) {
      this.name = name;
      return this;
    }

    /** How long writers wait for the lock before {@link BusyException}; 0 = 10 s. */
    public Options busyTimeoutMillis(int millis) {
      if (millis < 0) {
        throw new InvalidArgumentException("busyTimeoutMillis must not be negative");
      }
      this.busyTimeoutMillis = millis;
      return this;
    }

    /**
     * Open only: opens the workspace read-only and without audit (the C API's
     * {@code civ_ctx_options.read_only}, version 2). Nothing is ever written to the file: the
     * keyed reads (identity keys, tokens, field decryption, detokenisation) work and record
     * no audit entry — the caller records its own, e.g. a Spark driver one entry per job —,
     * and every call that would write (key rotation, imports, packages, catalog, audit
     * appends…) throws {@link DeniedException} before changing anything. Many read-only
     * handles, in many processes, may be open on one workspace at once. A workspace that
     * needs a migration (written by an older civitas) is {@link UnsupportedVersionException}
     * read-only. {@link Workspace#create} refuses it ({@link InvalidArgumentException}).
     */
    public Options readOnly(boolean readOnly) {
      this.readOnly = readOnly;
      return this;
    }

    /** Argon2id passes and memory in bytes; 0 = the defaults (3 passes, 64 MiB). */
    public Options kdf(long opsLimit, long memLimitBytes) {
      if (opsLimit < 0 || memLimitBytes < 0) {
        throw new InvalidArgumentException("kdf limits must not be negative");
      }
      this.kdfOpsLimit = opsLimit;
      this.kdfMemLimit = memLimitBytes;
      return this;
    }
  }

  private static final Options DEFAULTS = new Options();

  private final Crypto crypto = new Crypto(this);

  private Workspace(long ptr) {
    super(ptr, CivitasNative::civ_ctx_free, "Workspace");
  }

  /** Internal: the workspace behind a handle a C call returned (Recovery.restore). */
  static Workspace fromHandle(long ptr) {
    return new Workspace(ptr);
  }

  // ---- create and open ---------------------------------------------------------------

  /**
   * Creates a workspace (and its header file) with a fresh keyring, keyed by a passphrase.
   *
   * @throws AlreadyExistsException when either file exists
   * @throws InvalidArgumentException for an empty passphrase
   */
  public static Workspace create(Path path, char[] passphrase, Options options) {
    checkPassphrase(passphrase);
    return create(path, civ_key_source_kind.CIV_KEY_PASSPHRASE, passphrase, null, options);
  }

  /** Creates a workspace keyed by a raw 32-byte master key. */
  public static Workspace create(Path path, byte[] masterKey, Options options) {
    return create(path, civ_key_source_kind.CIV_KEY_RAW, null, rawKey(masterKey), options);
  }

  /**
   * Opens a workspace with its passphrase.
   *
   * @throws WrongKeyException "wrong key, or not a civitas workspace"
   * @throws NotFoundException when the file or its header does not exist
   */
  public static Workspace open(Path path, char[] passphrase) {
    return open(path, passphrase, null);
  }

  /** Opens a workspace with its passphrase and options (busy timeout, read-only). */
  public static Workspace open(Path path, char[] passphrase, Options options) {
    checkPassphrase(passphrase);
    return open(path, civ_key_source_kind.CIV_KEY_PASSPHRASE, passphrase, null, options);
  }

  /** Opens a workspace with its raw 32-byte master key. */
  public static Workspace open(Path path, byte[] masterKey) {
    return open(path, masterKey, null);
  }

  /** Opens a workspace with its raw master key and options (busy timeout, read-only). */
  public static Workspace open(Path path, byte[] masterKey, Options options) {
    return open(path, civ_key_source_kind.CIV_KEY_RAW, null, rawKey(masterKey), options);
  }

  /**
   * Opens a workspace read-only and without audit with its passphrase: {@link #open(Path,
   * char[], Options)} with {@link Options#readOnly(boolean) readOnly(true)}.
   */
  public static Workspace openReadOnly(Path path, char[] passphrase) {
    return open(path, passphrase, new Options().readOnly(true));
  }

  /**
   * Opens a workspace read-only and without audit with its raw 32-byte master key (e.g. in a
   * Spark executor, from a key file shipped with the job): {@link #open(Path, byte[],
   * Options)} with {@link Options#readOnly(boolean) readOnly(true)}.
   */
  public static Workspace openReadOnly(Path path, byte[] masterKey) {
    return open(path, masterKey, new Options().readOnly(true));
  }

  /** The header file that belongs to a workspace database ({@code path + ".header"}). */
  public static Path headerPath(Path path) {
    Path p = Errors.requireArg(path, "path");
    return p.getFileSystem().getPath(p + ".header");
  }

  private static Workspace create(Path path, int kind, char[] pass, byte[] key, Options options) {
    Options o = options == null ? DEFAULTS : options;
    if (o.readOnly) {
      throw new InvalidArgumentException("readOnly: a new workspace cannot be created read-only");
    }
    long[] out = new long[1];
    Errors.check(CivitasNative.civj_ctx_create(out, pathString(path), kind, pass, key, o.kdfOpsLimit, o.kdfMemLimit,
        o.department, o.name, o.busyTimeoutMillis));
    return new Workspace(out[0]);
  }

  private static Workspace open(Path path, int kind, char[] pass, byte[] key, Options options) {
    Options o = options == null ? DEFAULTS : options;
    long[] out = new long[1];
    Errors.check(CivitasNative.civj_ctx_open(out, pathString(path), kind, pass, key, o.busyTimeoutMillis,
        o.readOnly ? 1 : 0));
    return new Workspace(out[0]);
  }

  private static String pathString(Path path) {
    return Errors.requireArg(path, "path").toString();
  }

  /**
   * Rejects null and unpaired surrogates before the native call (which checks them too, but
   * cannot fail cleanly midway through converting its arguments). Makes no copy.
   */
  private static void checkPassphrase(char[] pass) {
    Errors.requireArg(pass, "passphrase");
    for (int i = 0; i < pass.length; i++) {
      if (Character.isHighSurrogate(pass[i]) && i + 1 < pass.length && Character.isLowSurrogate(pass[i + 1])) {
        i++;
      } else if (Character.isSurrogate(pass[i])) {
        throw new InvalidArgumentException("passphrase: unpaired UTF-16 surrogate at index " + i);
      }
    }
  }

  private static byte[] rawKey(byte[] key) {
    Errors.requireArg(key, "masterKey");
    if (key.length != 32) {
      throw new InvalidArgumentException("masterKey: a raw master key is 32 bytes, not " + key.length);
    }
    return key;
  }

  // ---- the workspace -------------------------------------------------------------------

  /** The protection primitives over this workspace's keyring (the same object each time). */
  public Crypto crypto() {
    ptr(); // fails once closed
    return crypto;
  }

  /**
   * Workspace facts: path, workspace id, department, name, creation time, schema version,
   * key source ("passphrase" or "raw"). {@link WorkspaceInfo#toJson()} gives the JSON.
   */
  public WorkspaceInfo info() {
    String[] out = new String[1];
    Errors.check(call(p -> CivitasNative.civ_ctx_info(out, p)));
    return WorkspaceInfo.fromJson(out[0]);
  }

  /** Runs a full integrity check of the database; {@link IntegrityException} when damaged. */
  public void checkIntegrity() {
    Errors.check(call(CivitasNative::civ_ctx_check));
  }

  /** Re-reads the keyring, to see rotations made meanwhile by other processes. */
  public void refresh() {
    Errors.check(call(CivitasNative::civ_ctx_refresh));
  }

  /**
   * Re-wraps the workspace key under a new passphrase (Argon2id with the default cost).
   * Nothing else is re-encrypted; the header file is replaced atomically.
   */
  public void changeMaster(char[] passphrase) {
    changeMaster(passphrase, null);
  }

  /** Re-wraps the workspace key under a new passphrase with the options' Argon2id cost. */
  public void changeMaster(char[] passphrase, Options options) {
    checkPassphrase(passphrase);
    Options o = options == null ? DEFAULTS : options;
    Errors.check(call(p -> CivitasNative.civj_ctx_change_master(p, civ_key_source_kind.CIV_KEY_PASSPHRASE,
        passphrase, null, o.kdfOpsLimit, o.kdfMemLimit)));
  }

  /** Re-wraps the workspace key under a new raw 32-byte master key. */
  public void changeMaster(byte[] masterKey) {
    byte[] k = rawKey(masterKey);
    Errors.check(call(p -> CivitasNative.civj_ctx_change_master(p, civ_key_source_kind.CIV_KEY_RAW, null, k, 0, 0)));
  }

  // ---- keyring -------------------------------------------------------------------------

  /**
   * The keyring without secrets: every key with its id, purpose, algorithm, creation time,
   * status (primary, active, retired, destroyed) and public key (signing and exchange keys).
   * An unmodifiable list.
   */
  public List<KeyInfo> keys() {
    String[] out = new String[1];
    Errors.check(call(p -> CivitasNative.civ_keys_list(out, p)));
    return KeyInfo.listFromJson(out[0]);
  }

  /**
   * Makes a new primary key of a purpose and returns its id (16 hex digits). The old
   * primary stays usable for decryption and verification.
   */
  public String rotate(Purpose purpose) {
    int code = Errors.requireArg(purpose, "purpose").code;
    byte[] id = new byte[17];
    Errors.check(call(p -> CivitasNative.civ_keys_rotate(id, p, code)));
    return Utf8.decodeCString(id);
  }

  /**
   * Destroys a key's secret for good (logged). Data under it can no longer be decrypted
   * ({@link DeniedException}).
   *
   * @throws DeniedException for the primary key of its purpose (rotate first)
   * @throws NotFoundException for an unknown id; {@link ParseException} for a malformed one
   */
  public void destroyKey(String keyId) {
    Errors.requireArg(keyId, "keyId");
    Errors.check(call(p -> CivitasNative.civ_keys_destroy(p, keyId)));
  }

  /**
   * This department's public keys as a signed JSON document (key ids, Ed25519 and X25519
   * public keys) for other departments to import. The document is a transport format, not a
   * result: pass it on unchanged (its signature covers its bytes).
   *
   * @throws InvalidArgumentException when the workspace has no department
   */
  public String exportPublic() {
    String[] out = new String[1];
    Errors.check(call(p -> CivitasNative.civ_keys_export_public(out, p)));
    return out[0];
  }

  /**
   * Imports another department's public-key document into the peer directory and returns
   * that department's USCC.
   *
   * @throws BadSignatureException when the document's signature does not hold
   * @throws ParseException, InvalidDataException, UnsupportedVersionException for bad documents
   */
  public String importPublic(String document) {
    Errors.requireArg(document, "document");
    String[] out = new String[1];
    Errors.check(call(p -> CivitasNative.civ_keys_import_public(out, p, document)));
    return out[0];
  }

  /**
   * Imports another department's public-key document like {@link #importPublic(String)};
   * with {@code replace} a department already known gets the document's keys although the
   * document does not supersede the last one (after an out-of-band check; audited as
   * "peer.import" with replace: true).
   *
   * @throws BadSignatureException when no key trusted for a known department signed it
   * @throws DeniedException for an older document, or a version 1/2 one for a known department
   * @throws IntegrityException when the peer directory was changed outside civitas
   */
  public String importPublic(String document, boolean replace) {
    Errors.requireArg(document, "document");
    String[] out = new String[1];
    long flags = replace ? CivitasNative.CIV_KEYS_IMPORT_REPLACE : 0;
    Errors.check(call(p -> CivitasNative.civ_keys_import_public_flags(out, p, document, flags)));
    return out[0];
  }

  /**
   * Removes a department and its keys from the peer directory. Audited as "peer.remove".
   *
   * @throws NotFoundException when the department is not in the directory
   */
  public void removePeer(String department) {
    Errors.requireArg(department, "department");
    Errors.check(call(p -> CivitasNative.civ_keys_remove_peer(p, department)));
  }

  /**
   * Revokes one of this department's signing or exchange keys (not the primary) with reason
   * "superseded" or "compromised"; the next {@link #exportPublic()} lists it as revoked.
   * Audited as "key.revoke".
   *
   * @throws DeniedException for the primary key, or a key already revoked as compromised
   * @throws InvalidArgumentException for another reason or purpose
   */
  public void revokeKey(String keyId, String reason) {
    Errors.requireArg(keyId, "keyId");
    Errors.requireArg(reason, "reason");
    Errors.check(call(p -> CivitasNative.civ_keys_revoke(p, keyId, reason)));
  }

  /**
   * The peer directory: the imported public keys of other departments (department, name,
   * key id, purpose, algorithm, public key, status, import time). An unmodifiable list.
   *
   * @param department a USCC to list one department's keys; {@code null} for all
   */
  public List<PeerKey> peers(String department) {
    String[] out = new String[1];
    Errors.check(call(p -> CivitasNative.civ_keys_peers(out, p, department)));
    return PeerKey.listFromJson(out[0]);
  }

  /** Every imported public key of other departments ({@link #peers(String)} with null). */
  public List<PeerKey> peers() {
    return peers(null);
  }

  /**
   * Seals this workspace's primary identity-key secret to another department's exchange key
   * (imported with {@link #importPublic}), so that both derive equal identity keys. Only
   * that department can open the box: pass it to {@link #importIdentitySecret} there.
   * Logged as "key.share".
   *
   * @throws UnknownKeyException when the department's keys were not imported
   */
  public byte[] shareIdentitySecret(String department) {
    Errors.requireArg(department, "department");
    byte[][] out = new byte[1][];
    Errors.check(call(p -> CivitasNative.civ_keys_share_identity(out, p, department)));
    return out[0];
  }

  /**
   * Imports an identity-key secret another department sealed to this workspace
   * ({@link #shareIdentitySecret}) as the new primary identity key; returns its key id.
   * Logged as "key.import".
   *
   * @throws NotRecipientException when the box was sealed to another department
   * @throws InvalidDataException when the box holds no identity-key secret
   */
  public String importIdentitySecret(byte[] box) {
    Errors.requireArg(box, "box");
    byte[] id = new byte[17];
    Errors.check(call(p -> CivitasNative.civ_keys_import_identity(id, p, box)));
    return Utf8.decodeCString(id);
  }
}
