// Internal: the backup file format (docs/formats/backup.md) as backup.cpp and
// recovery_key.cpp use it: constants, the parts of a file, reading and checking them, and the
// file helpers.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "civitas/crypto.hpp"
#include "civitas/workspace.hpp"

namespace civitas::workspace::backup_file {

namespace c = civitas::crypto;

inline constexpr unsigned char kMagic[8] = {0x89, 'C', 'I', 'V', 'B', 'A', 'K', '\n'};
inline constexpr unsigned char kEndMagic[8] = {0x89, 'C', 'I', 'V', 'B', 'K', 'E', '\n'};
inline constexpr std::uint8_t kVersion = 1;
inline constexpr std::size_t kPreamble = 24, kSig = 64, kTrailer = 112, kAbytes = 17, kKeyBytes = 32;
inline constexpr std::size_t kMaxHeader = 1u << 20;
inline constexpr std::size_t kMinChunk = 4096, kMaxChunk = 16u << 20;
inline constexpr std::size_t kMaxRecipients = 64;
// Contexts: "text\0" (sizeof includes the zero byte), docs/formats/backup.md §3–§5.
inline constexpr char kHeaderCtx[] = "civitas backup header v1";
inline constexpr char kTrailerCtx[] = "civitas backup trailer v1";
inline constexpr char kFileKeyLabel[] = "civitas backup file key v1";
inline constexpr char kPayloadCtx[] = "civitas backup payload key v1";
inline constexpr char kFormat[] = "civitas-backup";
inline constexpr char kCipher[] = "xchacha20poly1305-secretstream";
inline constexpr char kRecoveryFormat[] = "civitas-recovery-key";
inline constexpr char kRecoveryPubFormat[] = "civitas-recovery-public-key";
inline constexpr std::size_t kKeyContent = sizeof(kFileKeyLabel) + 32 + 32;  // 91

// A file descriptor closed on scope exit.
struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

// Removes a path on scope exit unless released.
struct TempFile {
  std::string path;
  bool keep = false;
  ~TempFile() {
    if (!keep && !path.empty()) ::unlink(path.c_str());
  }
};

struct Stanza {
  c::KeyId id{};
  std::vector<std::uint8_t> box;
};

struct Front {
  std::array<std::uint8_t, kPreamble> preamble{};
  std::string header_text;
  std::array<std::uint8_t, kSig> header_sig{};
  c::KeyId signer{};
  Workspace::BackupInfo info;
  std::size_t chunk = 0;
  std::vector<std::uint8_t> stream_header;
  std::vector<Stanza> stanzas;
  std::uint64_t payload_off = 0, payload_len = 0, content_len = 0;
};

// A signing public key by id: whose keys are trusted is the caller's choice.
struct SignerKey {
  c::KeyId id{};
  std::vector<std::uint8_t> pk;
};

struct Trailer {
  std::array<std::uint8_t, kTrailer> bytes{};
  std::array<std::uint8_t, 32> computed{};
};

const c::Suite& suite1();
const SignerKey& find_signer(const std::vector<SignerKey>& keys, const c::KeyId& id, const std::string& path,
                             const std::string& whose);
void read_payload(int fd, const Front& f, const std::string& path,
                  const std::function<void(const std::uint8_t*, std::size_t)>& on_chunk, Trailer& t);
[[noreturn]] void io_error(const std::string& what, const std::string& path);
std::string dir_of(const std::string& p);
void fsync_dir(const std::string& path);
bool exists(const std::string& p);
void put_u32(std::uint8_t* p, std::uint32_t v);
void put_u64(std::uint8_t* p, std::uint64_t v);
std::uint32_t get_u32(const std::uint8_t* p);
std::uint64_t get_u64(const std::uint8_t* p);
void write_all(int fd, const void* p, std::size_t n, const std::string& path);
std::size_t read_some(int fd, void* p, std::size_t n, const std::string& path);
std::array<std::uint8_t, 32> file_key_binding(const c::KeyId& signer, const std::string& backup_id);
c::SecretBytes payload_key(const c::SecretBytes& file_key, const std::string& backup_id);
bool is_hex(std::string_view s, std::size_t n);
bool valid_backup_id(std::string_view s);
[[noreturn]] void damaged(const std::string& path, const std::string& why);
Front read_front(int fd, const std::string& path);
void parse_header(Front& f, const std::string& path, std::uint64_t file_size);
std::string header_message(const Front& f);
void check_header_sig(const Front& f, const SignerKey& k, const std::string& path);
void check_trailer_sig(const Trailer& t, const SignerKey& k, const std::string& path);
std::vector<SignerKey> own_signing_keys(const c::Keyring& ring);
Workspace::BackupInfo verify_file(const std::string& path, const std::vector<SignerKey>& keys, const std::string& whose);

}  // namespace civitas::workspace::backup_file
