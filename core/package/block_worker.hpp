// BlockWorker: a producer fills blocks, a worker thread consumes them in order (the exchange
// reader's pipeline stages and the hashing pass of open()).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "civitas/error.hpp"

namespace civitas::package::detail {

// A worker thread fed through a bounded pool of blocks: the producer fills the block that
// current() returns and submits it; the thread runs `consume` on each block in order and
// returns it to the pool. The thread starts with the first full block, so a small package
// never starts one (its only block is consumed on the producer's thread). An exception in
// `consume` ends the thread and is rethrown to the producer at its next call. Memory: `count`
// blocks of `size` bytes, whatever the package size. The producer is never handed the block
// it submitted last (zstd still reads it as the history of the next one: see decompress()).
class BlockWorker {
 public:
  struct Block {
    std::vector<std::uint8_t> data;
    std::size_t n = 0;
    std::uint64_t off = 0;  // package offset of the chunk that started it (for messages)
    std::size_t room() const { return data.size() - n; }
  };
  using Consume = std::function<void(const Block&)>;

  BlockWorker(std::size_t size, std::size_t count, Consume consume)
      : size_(size), blocks_(count), consume_(std::move(consume)) {
    for (auto& b : blocks_) free_.push_back(&b);
  }
  ~BlockWorker() { cancel(); }
  BlockWorker(const BlockWorker&) = delete;
  /// Blocks handed out from now on have at least `size` bytes.
  void set_block_size(std::size_t size) { size_ = size; }
  BlockWorker& operator=(const BlockWorker&) = delete;

  /// The block being filled (waits for the thread to return one when all are queued).
  Block* current(std::uint64_t off) {
    if (cur_) return cur_;
    std::unique_lock<std::mutex> l(m_);
    auto usable = [&] {
      for (auto it = free_.begin(); it != free_.end(); ++it)
        if (*it != last_) return it;
      return free_.end();
    };
    cv_free_.wait(l, [&] { return error_ || cancelled_ || usable() != free_.end(); });
    if (error_) std::rethrow_exception(error_);
    if (cancelled_) throw Error(Code::internal, "package reader was cancelled after a refusal");
    auto it = usable();
    cur_ = *it;
    free_.erase(it);
    l.unlock();
    if (cur_->data.size() < size_) cur_->data.resize(size_);
    cur_->n = 0;
    cur_->off = off;
    return cur_;
  }

  /// Hands the current block on (to the thread, started here with the first block that is
  /// not the last one; the only block of a small package is consumed right here).
  void submit(bool last) {
    Block* b = cur_;
    if (!b) return;
    cur_ = nullptr;
    last_ = b;
    if (!started_ && last) {
      consume_(*b);
      free_.push_back(b);
      return;
    }
    {
      std::lock_guard<std::mutex> l(m_);
      if (error_) std::rethrow_exception(error_);
      if (cancelled_) throw Error(Code::internal, "package reader was cancelled after a refusal");
      ready_.push_back(b);
      if (!started_) {
        started_ = true;
        thread_ = std::thread([this] { loop(); });
      }
    }
    cv_ready_.notify_one();
  }

  /// Submits what is left and waits until every block is consumed.
  void finish() {
    submit(true);
    std::thread t;
    {
      std::lock_guard<std::mutex> l(m_);
      closing_ = true;
      t = std::move(thread_);
    }
    cv_ready_.notify_all();
    if (t.joinable()) t.join();
    std::lock_guard<std::mutex> l(m_);
    if (error_) std::rethrow_exception(error_);
  }

  /// After a refusal: the thread drops what is queued and ends. Also wakes a producer that
  /// waits for a block (it then throws), so that chained workers can be cancelled in any order.
  void cancel() noexcept {
    std::thread t;
    {
      std::lock_guard<std::mutex> l(m_);
      cancelled_ = true;
      t = std::move(thread_);
    }
    cv_ready_.notify_all();
    cv_free_.notify_all();
    if (t.joinable()) t.join();
  }

 private:
  void loop() {
    for (;;) {
      Block* b = nullptr;
      {
        std::unique_lock<std::mutex> l(m_);
        cv_ready_.wait(l, [&] { return cancelled_ || closing_ || !ready_.empty(); });
        if (cancelled_ || ready_.empty()) return;
        b = ready_.front();
        ready_.pop_front();
      }
      try {
        consume_(*b);
      } catch (...) {
        std::lock_guard<std::mutex> l(m_);
        error_ = std::current_exception();
        cv_free_.notify_all();
        return;
      }
      {
        std::lock_guard<std::mutex> l(m_);
        free_.push_back(b);
      }
      cv_free_.notify_one();
    }
  }

  std::size_t size_;
  std::vector<Block> blocks_;
  Consume consume_;
  Block* cur_ = nullptr;
  Block* last_ = nullptr;  // submitted last (the producer's side only reads it under m_)
  std::deque<Block*> free_;
  std::deque<Block*> ready_;
  std::mutex m_;
  std::condition_variable cv_ready_, cv_free_;
  bool closing_ = false, cancelled_ = false, started_ = false;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace civitas::package::detail
