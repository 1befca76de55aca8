package org.civitas;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.civitas.internal.CivitasNative;
import org.civitas.internal.Utf8;

/**
 * The protection primitives over a workspace's keyring (C: civitas/crypto.h), from
 * {@link Workspace#crypto()}: field encryption with associated data (one value or a whole
 * column), deterministic tokens, identity keys, Ed25519 signatures and sealed boxes. Formats
 * are in docs/formats/ (field-ciphertext.md, token.md, identity-key.md).
 *
 * <p>Associated data of a field value is (resource, field, record id); a ciphertext only
 * decrypts with the same three. A {@code null} resource, field, record, domain or department
 * is the empty string (for a department: this workspace's own). Plaintexts are bytes; the
 * String overloads encode UTF-8.
 *
 * <p>Errors when reading: {@link IntegrityException} (wrong associated data or domain,
 * tampered), {@link TruncatedException}, {@link UnknownKeyException} (a key this keyring
 * does not hold: another workspace's data), {@link DeniedException} (the key was destroyed),
 * {@link UnsupportedVersionException}. All methods are thread-safe; after the workspace is
 * closed they throw {@link IllegalStateException}.
 */
public final class Crypto {
  /** Bytes a field ciphertext adds to its plaintext (version, key id, nonce, tag). */
  public static final int FIELD_OVERHEAD = (int) CivitasNative.civ_crypto_field_overhead();
  /** Length of an identity key's text form ("ik1:" + key id + ":" + 43 base64url). */
  public static final int IDENTITY_KEY_LENGTH = (int) CivitasNative.civ_crypto_identity_key_size();
  /** Length of an Ed25519 signature. */
  public static final int SIGNATURE_LENGTH = 64;

  /** A detached signature and the id of the key that made it. */
  public static final class Signature {
    private final byte[] bytes;
    private final String keyId;

    Signature(byte[] bytes, String keyId) {
      this.bytes = bytes;
      this.keyId = keyId;
    }

    /** The 64 signature bytes (a copy). */
    public byte[] getBytes() {
      return bytes.clone();
    }

    /** The user-signing key's id (16 hex digits). */
    public String getKeyId() {
      return keyId;
    }
  }

  private final Workspace ws;

  Crypto(Workspace ws) {
    this.ws = ws;
  }

  // ---- field encryption ----------------------------------------------------------------

  /** Encrypts one value with the primary field key (XChaCha20-Poly1305). */
  public byte[] encryptField(byte[] plaintext, String resource, String field, String record) {
    Errors.requireArg(plaintext, "plaintext");
    byte[][] out = new byte[1][];
    Errors.check(ws.call(p -> CivitasNative.civj_field_encrypt(out, p, resource, field, record, plaintext)));
    return out[0];
  }

  /** Encrypts the UTF-8 of a string (the encoded copy is zeroed after the call). */
  public byte[] encryptField(String plaintext, String resource, String field, String record) {
    byte[] b = Utf8.encode(Errors.requireArg(plaintext, "plaintext"));
    try {
      return encryptField(b, resource, field, record);
    } finally {
      Arrays.fill(b, (byte) 0);
    }
  }

  /** Decrypts one value encrypted with the same (resource, field, record). */
  public byte[] decryptField(byte[] ciphertext, String resource, String field, String record) {
    Errors.requireArg(ciphertext, "ciphertext");
    byte[][] out = new byte[1][];
    Errors.check(ws.call(p -> CivitasNative.civj_field_decrypt(out, p, resource, field, record, ciphertext)));
    return out[0];
  }

  /**
   * Encrypts a column in one native call. records, when not null, gives each value's record
   * id (one per value) for its associated data.
   */
  public byte[][] encryptColumn(byte[][] values, String resource, String field, String[] records) {
    Packed v = Packed.of(Errors.requireArg(values, "values"), "values");
    try {
      return column(false, v, resource, field, records);
    } finally {
      Arrays.fill(v.data, (byte) 0);
    }
  }

  /** Encrypts a column of strings (UTF-8) in one native call. */
  public byte[][] encryptColumn(String[] values, String resource, String field, String[] records) {
    Packed v = Packed.of(Errors.requireArg(values, "values"), "values");
    try {
      return column(false, v, resource, field, records);
    } finally {
      Arrays.fill(v.data, (byte) 0);
    }
  }

  /**
   * Decrypts a column in one native call; any bad value fails the whole call and the
   * message names its row (1-based).
   */
  public byte[][] decryptColumn(byte[][] ciphertexts, String resource, String field, String[] records) {
    return column(true, Packed.of(Errors.requireArg(ciphertexts, "ciphertexts"), "ciphertexts"), resource, field,
        records);
  }

  private byte[][] column(boolean decrypt, Packed v, String resource, String field, String[] records) {
    Packed r = null;
    if (records != null) {
      if (records.length != v.count) {
        throw new InvalidArgumentException("records: " + records.length + " ids for " + v.count + " values");
      }
      r = Packed.of(records, "records");
    }
    byte[] rd = r == null ? null : r.data;
    long[] ro = r == null ? null : r.offsets;
    byte[][] out = new byte[v.count][];
    Errors.check(ws.call(p -> decrypt
        ? CivitasNative.civj_field_decrypt_column(out, p, resource, field, v.data, v.offsets, rd, ro)
        : CivitasNative.civj_field_encrypt_column(out, p, resource, field, v.data, v.offsets, rd, ro)));
    return out;
  }

  // ---- deterministic tokens ------------------------------------------------------------

  /** Deterministic token (AES-256-SIV) of a value in a domain: equal inputs, equal tokens. */
  public byte[] tokenize(byte[] value, String domain) {
    Errors.requireArg(value, "value");
    byte[][] out = new byte[1][];
    Errors.check(ws.call(p -> CivitasNative.civ_crypto_tokenize(out, p, domain, value)));
    return out[0];
  }

  /** Token of the UTF-8 of a string (the encoded copy is zeroed after the call). */
  public byte[] tokenize(String value, String domain) {
    byte[] b = Utf8.encode(Errors.requireArg(value, "value"));
    try {
      return tokenize(b, domain);
    } finally {
      Arrays.fill(b, (byte) 0);
    }
  }

  /** Reverses a token of the same domain (key holders only); errors as decryptField. */
  public byte[] detokenize(byte[] token, String domain) {
    Errors.requireArg(token, "token");
    byte[][] out = new byte[1][];
    Errors.check(ws.call(p -> CivitasNative.civ_crypto_detokenize(out, p, domain, token)));
    return out[0];
  }

  // ---- identity keys -------------------------------------------------------------------

  /**
   * The identity key ("ik1:…", {@link #IDENTITY_KEY_LENGTH} characters) of an identifier of
   * a kind, canonicalised first, in a domain: keys of different domains cannot be linked.
   *
   * @throws InvalidDataException when the identifier is not valid (the reason in the message)
   * @throws InvalidArgumentException for an empty domain
   */
  public String identityKey(IdKind kind, String identifier, String domain) {
    return identityKey(Errors.requireArg(kind, "kind").cName(), identifier, domain);
  }

  /** Identity keys of a column of identifiers in one native call; null where invalid. */
  public String[] identityKeys(IdKind kind, String[] identifiers, String domain) {
    return identityKeys(Errors.requireArg(kind, "kind").cName(), identifiers, domain);
  }

  /**
   * The identity key ("ik1:…", {@link #IDENTITY_KEY_LENGTH} characters) of an identifier of
   * a kind given by its C API name ("uscc", "orgcode", "ric", "gb2260"); as
   * {@link #identityKey(IdKind, String, String)}.
   *
   * @throws InvalidDataException when the identifier is not valid (the reason in the message)
   * @throws InvalidArgumentException for an empty domain or an unknown kind
   */
  public String identityKey(String kind, String identifier, String domain) {
    int k = Ids.kind(kind);
    Errors.requireArg(identifier, "identifier");
    byte[] out = new byte[IDENTITY_KEY_LENGTH + 1];
    Errors.check(ws.call(p -> CivitasNative.civ_crypto_identity_key(out, p, k, domain, identifier)));
    return Utf8.decodeCString(out);
  }

  /** Identity keys of a column of identifiers in one native call; null where invalid. */
  public String[] identityKeys(String kind, String[] identifiers, String domain) {
    int k = Ids.kind(kind);
    Packed v = Packed.of(Errors.requireArg(identifiers, "identifiers"), "identifiers");
    byte[] keys = new byte[Math.multiplyExact(v.count, IDENTITY_KEY_LENGTH)];
    byte[] reasons = new byte[v.count];
    try {
      Errors.check(ws.call(p -> CivitasNative.civj_identity_key_column(keys, reasons, p, k, domain, v.data,
          v.offsets, v.count)));
    } finally {
      Arrays.fill(v.data, (byte) 0);
    }
    String[] out = new String[v.count];
    for (int i = 0; i < v.count; i++) {
      if (reasons[i] == 0) {
        out[i] = new String(keys, i * IDENTITY_KEY_LENGTH, IDENTITY_KEY_LENGTH, StandardCharsets.US_ASCII);
      }
    }
    return out;
  }

  // ---- signatures ----------------------------------------------------------------------

  /** Detached Ed25519 signature (64 bytes) of a message with the primary user-signing key (never a package or checkpoint key). */
  public byte[] sign(byte[] message) {
    return signWithKeyId(message).bytes;
  }

  /** As {@link #sign}, also naming the signing key. */
  public Signature signWithKeyId(byte[] message) {
    Errors.requireArg(message, "message");
    byte[] sig = new byte[SIGNATURE_LENGTH];
    byte[] id = new byte[17];
    Errors.check(ws.call(p -> CivitasNative.civj_crypto_sign(sig, id, p, message)));
    return new Signature(sig, Utf8.decodeCString(id));
  }

  /** True when signature is this workspace's own valid signature of message. */
  public boolean verify(byte[] message, byte[] signature) {
    return verify(message, signature, null);
  }

  /**
   * True when signature is a valid signature of message by one of a department's signing
   * keys (null or empty department: this workspace's own). A signature of the wrong length
   * is simply not valid.
   *
   * @throws UnknownKeyException when no keys of that department were imported
   */
  public boolean verify(byte[] message, byte[] signature, String department) {
    Errors.requireArg(message, "message");
    Errors.requireArg(signature, "signature");
    if (signature.length != SIGNATURE_LENGTH) {
      return false;
    }
    int[] valid = new int[1];
    Errors.check(ws.call(p -> CivitasNative.civj_crypto_verify(valid, p, department, message, signature)));
    return valid[0] == 1;
  }

  // ---- sealed boxes --------------------------------------------------------------------

  /** Seals a message to this workspace's own exchange key. */
  public byte[] seal(byte[] message) {
    return seal(message, null);
  }

  /**
   * Seals a message to a department's X25519 exchange key (imported with
   * {@link Workspace#importPublic}); only that department can open it.
   *
   * @throws UnknownKeyException when the department's keys were not imported
   */
  public byte[] seal(byte[] message, String department) {
    Errors.requireArg(message, "message");
    byte[][] out = new byte[1][];
    Errors.check(ws.call(p -> CivitasNative.civ_crypto_seal(out, p, department, message)));
    return out[0];
  }

  /**
   * Opens a sealed box addressed to this workspace.
   *
   * @throws NotRecipientException when it was sealed to another key
   * @throws IntegrityException when tampered; {@link TruncatedException} when too short
   */
  public byte[] unseal(byte[] box) {
    Errors.requireArg(box, "box");
    byte[][] out = new byte[1][];
    Errors.check(ws.call(p -> CivitasNative.civ_crypto_unseal(out, p, box)));
    return out[0];
  }

  // ---- columns -------------------------------------------------------------------------

  /** Values packed into one buffer + count + 1 offsets (Arrow layout), owned by this class. */
  private static final class Packed {
    final byte[] data;
    final long[] offsets;
    final int count;

    private Packed(byte[] data, long[] offsets, int count) {
      this.data = data;
      this.offsets = offsets;
      this.count = count;
    }

    static Packed of(String[] values, String what) {
      for (int i = 0; i < values.length; i++) {
        if (values[i] == null) {
          throw new InvalidArgumentException(what + "[" + i + "] must not be null");
        }
      }
      Ids.Column c = Ids.Column.of(values);
      return new Packed(c.data, c.offsets, c.count);
    }

    static Packed of(byte[][] values, String what) {
      long total = 0;
      for (int i = 0; i < values.length; i++) {
        if (values[i] == null) {
          throw new InvalidArgumentException(what + "[" + i + "] must not be null");
        }
        total += values[i].length;
      }
      if (total > Integer.MAX_VALUE - 8) {
        throw new InvalidArgumentException(what + ": more than 2 GiB in one batch");
      }
      byte[] data = new byte[(int) total];
      long[] offsets = new long[values.length + 1];
      int pos = 0;
      for (int i = 0; i < values.length; i++) {
        offsets[i] = pos;
        System.arraycopy(values[i], 0, data, pos, values[i].length);
        pos += values[i].length;
      }
      offsets[values.length] = pos;
      return new Packed(data, offsets, values.length);
    }
  }
}
