// Example: validate identifiers with the civitas Java binding.
//   java -cp civitas.jar:. ValidateIds [[KIND:]CODE...]   (defaults to a few sample codes)
// Compile: javac -cp civitas.jar ValidateIds.java   (the native library comes out of the jar)
import java.util.Arrays;
import java.util.List;
import org.civitas.Civitas;
import org.civitas.CivitasException;
import org.civitas.IdKind;
import org.civitas.IdParts;
import org.civitas.IdResult;
import org.civitas.Ids;

public final class ValidateIds {
  private ValidateIds() {}

  /** Prints one line about code; returns whether it is valid. */
  static boolean show(IdKind kind, String code) {
    IdResult r = Ids.validate(kind, code);
    if (!r.isValid()) {
      System.out.printf("%-8s %-20s invalid (%s): %s%n", kind.cName(), code, r.getReason(), r.getMessage());
      return false;
    }
    StringBuilder line = new StringBuilder(String.format("%-8s %-20s valid, canonical %s", kind.cName(), code,
        r.getCanonical()));
    IdParts p = r.getParts();
    if (p.getRegion() != null && p.getRegion().isKnown()) {
      line.append(", ").append(p.getRegion().getProvince())
          .append(p.getRegion().getPrefecture() == null ? "" : p.getRegion().getPrefecture())
          .append(p.getRegion().getCounty() == null ? "" : p.getRegion().getCounty());
    }
    if (p.getBirthDate() != null) {
      line.append(", born ").append(p.getBirthDate()).append(", sex ").append(p.getSex());
    }
    if (p.getAuthorityName() != null) {
      line.append(", ").append(p.getAuthorityName()).append(" / ").append(p.getCategoryName());
    }
    if (!r.getWarnings().isEmpty()) {
      line.append(", warnings ").append(r.getWarnings());
    }
    System.out.println(line);
    return true;
  }

  public static void main(String[] args) {
    System.out.println("civitas " + Civitas.version());
    if (args.length > 0) {
      boolean all = true;
      for (String arg : args) {
        // "kind:code", or a guess: all-digit bodies are resident IDs, the rest USCCs.
        int colon = arg.indexOf(':');
        String code = colon < 0 ? arg : arg.substring(colon + 1);
        IdKind kind = colon >= 0 ? IdKind.fromName(arg.substring(0, colon))
            : code.chars().limit(Math.min(code.length(), 17)).allMatch(Character::isDigit) ? IdKind.RIC : IdKind.USCC;
        all &= show(kind, code);
      }
      System.exit(all ? 0 : 1);
    }

    boolean ok = show(IdKind.USCC, "91350100M000100Y43");
    ok &= !show(IdKind.USCC, "91350100M000100Y44");
    ok &= show(IdKind.ORGCODE, "M000100Y-4");
    ok &= show(IdKind.RIC, "11010519491231002X");
    ok &= show(IdKind.RIC, "110105491231002");

    // A column of codes is checked in one native call.
    List<String> column = Arrays.asList("91350100M000100Y43", "91350100M000100Y44", "not a code");
    String[] reasons = Ids.reasonsMany(IdKind.USCC, column);
    for (int i = 0; i < reasons.length; i++) {
      System.out.printf("batch    %-20s %s%n", column.get(i), reasons[i] == null ? "valid" : reasons[i]);
    }
    ok &= reasons[0] == null && "checksum".equals(reasons[1]) && reasons[2] != null;

    System.out.println("check character of 91350100M000100Y4: " + Ids.checkChar(IdKind.USCC, "91350100M000100Y4"));
    try {
      IdKind.fromName("passport");  // kinds read from configuration: an unknown name is an exception
      ok = false;
    } catch (CivitasException e) {
      System.out.println("unknown kind -> " + e.getClass().getSimpleName() + " (" + e.getCodeName() + "): "
          + e.getMessage());
    }
    System.exit(ok ? 0 : 1);
  }
}
