package org.civitas;

import java.nio.file.Path;
import java.util.Map;
import org.civitas.internal.CivitasNative;
import org.civitas.internal.Json;
import org.civitas.internal.civ_error_code;

/**
 * The open-data publishing job (docs/publish.md): one audited call ({@code publish.run}) that
 * validates a table against its Table Schema, classifies it, asks the policy whether it may
 * be opened, de-identifies it, checks the re-identification risk and writes a signed
 * publication directory (docs/formats/publication.md); and the check of a publication.
 *
 * <pre>{@code
 * String summary = Publish.run(ws, Paths.get("employment.csv"), Paths.get("open/employment"),
 *     "105002001/000031", schemaJson, policyJson, null);
 * Publish.verify(Paths.get("open/employment"), ws.exportPublic());
 * }</pre>
 *
 * Results are JSON text. All methods are thread-safe. The progress callback of the C API is
 * not offered in Java.
 */
public final class Publish {
  private Publish() {}

  /**
   * Publishes {@code data} (CSV) as the stored catalog entry {@code resourceCode} into
   * {@code out} (which must not exist) and returns the summary JSON (docs/publish.md).
   *
   * @param schemaJson the Table Schema of the table as collected
   * @param policyJson a policy, or null for the bundled city policy
   * @param specJson   a de-identification spec, or null to derive it from the policy's obligations
   * @throws PublishRefusedException the policy does not allow opening, the risk is above the
   *         threshold, or an identifier column has no action
   * @throws InvalidDataException the data does not conform to its Table Schema
   * @throws AlreadyExistsException {@code out} exists
   * @throws NotFoundException no such catalog entry
   */
  public static String run(Workspace workspace, Path data, Path out, String resourceCode, String schemaJson,
                           String policyJson, String specJson) {
    Errors.requireArg(workspace, "workspace");
    Errors.requireArg(data, "data");
    Errors.requireArg(out, "out");
    Errors.requireArg(resourceCode, "resourceCode");
    Errors.requireArg(schemaJson, "schemaJson");
    StringBuilder req = new StringBuilder("{\"data\":");
    Json.quote(req, data.toString());
    req.append(",\"out\":");
    Json.quote(req, out.toString());
    req.append(",\"resource\":");
    Json.quote(req, resourceCode);
    req.append(",\"schema\":");
    Json.quote(req, schemaJson);
    if (policyJson != null) {
      req.append(",\"policy\":");
      Json.quote(req, policyJson);
    }
    if (specJson != null) {
      req.append(",\"spec\":");
      Json.quote(req, specJson);
    }
    String request = req.append('}').toString();
    String[] result = new String[1];
    int rc = workspace.call(h -> CivitasNative.civ_publish_run(result, h, request));
    if (rc == civ_error_code.CIV_EDENIED && result[0] != null) {
      Map<String, Object> r = JsonDoc.object(JsonDoc.object(result[0], "refusal").get("refused"), "refusal");
      throw new PublishRefusedException(JsonDoc.str(r, "message", "refusal"), JsonDoc.str(r, "reason", "refusal"),
                                        JsonDoc.str(r, "column", "refusal"), JsonDoc.str(r, "rule", "refusal"));
    }
    Errors.check(rc);
    return result[0];
  }

  /** Checks a publication against the workspace's own and its peers' signing keys; returns the result JSON. */
  public static String verify(Workspace workspace, Path dir) {
    Errors.requireArg(workspace, "workspace");
    String d = Errors.requireArg(dir, "dir").toString();
    String[] out = new String[1];
    Errors.check(workspace.call(h -> CivitasNative.civ_publish_verify(out, h, d)));
    return out[0];
  }

  /** Checks a publication against a department's public-key document ({@link Workspace#exportPublic()}). */
  public static String verify(Path dir, String keyDocument) {
    String d = Errors.requireArg(dir, "dir").toString();
    Errors.requireArg(keyDocument, "keyDocument");
    String[] out = new String[1];
    Errors.check(CivitasNative.civ_publish_verify_with(out, d, keyDocument));
    return out[0];
  }
}
