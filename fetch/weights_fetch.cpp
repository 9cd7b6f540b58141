#include "weights_fetch.h"

#include "safetensors_header.h"

#include <curl/curl.h>
#include <nlohmann/json.hpp>
#include <nettle/sha2.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace neural_style {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::uint64_t kUnknown = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint64_t kFirstRequestBytes = 64u << 10;  // the header of timm's file is about 3 KB
constexpr std::uint64_t kCheckpointBytes = 8u << 20;     // progress is made durable at least this often
constexpr std::size_t kCopyChunk = 1u << 20;

[[noreturn]] void fail(const std::string &what) { throw StyleError(what); }

// The source is not what it was or is not usable: the partial download must not be reused.
class SourceProblem : public StyleError {
public:
    using StyleError::StyleError;
};

std::string one_line(std::string text) {
    for (char &c : text)
        if (c == '\n' || c == '\r' || c == '\t')
            c = ' ';
    while (!text.empty() && text.back() == ' ')
        text.pop_back();
    return text;
}

std::string megabytes(std::uint64_t bytes) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f MB", static_cast<double>(bytes) / 1e6);
    return buffer;
}

std::string errno_text() { return std::strerror(errno); }

std::string lower(std::string text) {
    for (char &c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// ---------------------------------------------------------------------------------------------------------------
// SHA-256 (nettle)

class Sha256 {
public:
    Sha256() { sha256_init(&ctx_); }
    void update(const void *data, std::size_t size) {
        sha256_update(&ctx_, size, static_cast<const std::uint8_t *>(data));
    }
    std::string hex() {
        std::uint8_t digest[SHA256_DIGEST_SIZE];
        sha256_digest(&ctx_, SHA256_DIGEST_SIZE, digest);
        static const char digits[] = "0123456789abcdef";
        std::string out;
        for (std::uint8_t byte : digest) {
            out += digits[byte >> 4];
            out += digits[byte & 15];
        }
        return out;
    }

private:
    sha256_ctx ctx_;
};

std::string sha256_of(const std::string &bytes) {
    Sha256 hash;
    hash.update(bytes.data(), bytes.size());
    return hash.hex();
}

// ---------------------------------------------------------------------------------------------------------------
// Files

class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() { reset(); }
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    int get() const { return fd_; }
    void reset(int fd = -1) {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

void pwrite_all(int fd, const char *data, std::size_t size, std::uint64_t offset, const std::string &path) {
    while (size > 0) {
        const ssize_t n = ::pwrite(fd, data, size, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            fail("cannot write " + path + ": " + errno_text());
        data += n;
        size -= static_cast<std::size_t>(n);
        offset += static_cast<std::uint64_t>(n);
    }
}

void pread_all(int fd, char *data, std::size_t size, std::uint64_t offset, const std::string &path) {
    while (size > 0) {
        const ssize_t n = ::pread(fd, data, size, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            fail("cannot read " + path + ": " + errno_text());
        if (n == 0)
            fail("cannot read " + path + ": the file is shorter than expected");
        data += n;
        size -= static_cast<std::size_t>(n);
        offset += static_cast<std::uint64_t>(n);
    }
}

std::uint64_t file_size_of(int fd) {
    struct stat st {};
    return ::fstat(fd, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

void fsync_folder(const fs::path &folder) {
    Fd dir(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() >= 0)
        ::fsync(dir.get());
}

// Writes `text` to `path` through a temporary file and a rename.
void write_file_atomically(const std::string &path, const std::string &text) {
    const std::string temp = path + ".tmp";
    {
        Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (fd.get() < 0)
            fail("cannot create " + temp + ": " + errno_text());
        pwrite_all(fd.get(), text.data(), text.size(), 0, temp);
        if (::fsync(fd.get()) != 0)
            fail("cannot write " + temp + ": " + errno_text());
    }
    if (::rename(temp.c_str(), path.c_str()) != 0)
        fail("cannot rename " + temp + " to " + path + ": " + errno_text());
}

// ---------------------------------------------------------------------------------------------------------------
// URLs

struct ParsedUrl {
    std::string scheme; // lowercase
    std::string host;   // lowercase, "[::1]" style for IPv6
    std::string path;   // decoded (file:// only)
};

ParsedUrl parse_url(const std::string &url) {
    std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> handle(curl_url(), curl_url_cleanup);
    if (!handle)
        fail("out of memory");
    if (curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)
        fail("'" + one_line(url) + "' is not a URL: use https://..., or file:///path for a local file");
    auto part = [&](CURLUPart which, unsigned flags) {
        char *value = nullptr;
        std::string out;
        if (curl_url_get(handle.get(), which, &value, flags) == CURLUE_OK && value)
            out = value;
        curl_free(value);
        return out;
    };
    ParsedUrl parsed;
    parsed.scheme = lower(part(CURLUPART_SCHEME, 0));
    parsed.host = lower(part(CURLUPART_HOST, 0));
    if (parsed.scheme == "file")
        parsed.path = part(CURLUPART_PATH, CURLU_URLDECODE);
    return parsed;
}

bool is_loopback_host(const std::string &host) {
    return host == "127.0.0.1" || host == "localhost" || host == "[::1]" || host == "::1";
}

// ---------------------------------------------------------------------------------------------------------------
// Sources: a byte range of the file goes to a Receiver, which may stop the transfer once it has what it needs.

struct ResponseInfo {
    bool partial = false;                  // a 206 (or a local file): starts where asked
    std::uint64_t start = 0;               // absolute offset of the first byte of the body
    std::uint64_t total = kUnknown;        // size of the whole source
    std::string etag;                      // validator; empty when none
};

class Receiver {
public:
    virtual ~Receiver() = default;
    virtual void begin_response(const ResponseInfo &info) = 0;
    // Returns false when nothing more is needed from this response.
    virtual bool data(const char *bytes, std::size_t size) = 0;
    // Called while waiting; throws FetchCancelled when the user cancels.
    virtual void idle() = 0;
};

enum class Outcome { Complete, Stopped, Failed };

struct TransferResult {
    Outcome outcome = Outcome::Complete;
    std::string error; // for Failed
};

class Source {
public:
    virtual ~Source() = default;
    // Asks for bytes [begin, end) (end == kUnknown: to the end). Throws for problems a retry cannot fix.
    virtual TransferResult get(std::uint64_t begin, std::uint64_t end, Receiver &receiver) = 0;
};

class FileSource : public Source {
public:
    explicit FileSource(std::string path) : path_(std::move(path)) {}

    TransferResult get(std::uint64_t begin, std::uint64_t end, Receiver &receiver) override {
        Fd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
        if (fd.get() < 0)
            fail("cannot open " + path_ + ": " + errno_text());
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
            fail(path_ + " is not a regular file");
        const auto size = static_cast<std::uint64_t>(st.st_size);
        ResponseInfo info;
        info.partial = true;
        info.start = std::min(begin, size);
        info.total = size;
        info.etag = std::to_string(size) + "-" + std::to_string(st.st_mtim.tv_sec) + "." +
                    std::to_string(st.st_mtim.tv_nsec);
        receiver.begin_response(info);
        std::vector<char> buffer(kCopyChunk);
        std::uint64_t pos = info.start;
        const std::uint64_t stop = std::min(end, size);
        while (pos < stop) {
            const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), stop - pos));
            const ssize_t n = ::pread(fd.get(), buffer.data(), want, static_cast<off_t>(pos));
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return {Outcome::Failed, "cannot read " + path_ + ": " + errno_text()};
            if (n == 0)
                return {Outcome::Failed, path_ + " became shorter while it was read"};
            pos += static_cast<std::uint64_t>(n);
            if (!receiver.data(buffer.data(), static_cast<std::size_t>(n)))
                return {Outcome::Stopped, {}};
        }
        return {Outcome::Complete, {}};
    }

private:
    std::string path_;
};

void curl_global() {
    static std::once_flag once;
    static CURLcode code = CURLE_OK;
    std::call_once(once, [] { code = curl_global_init(CURL_GLOBAL_DEFAULT); });
    if (code != CURLE_OK)
        fail("cannot initialise libcurl: " + std::string(curl_easy_strerror(code)));
}

class HttpSource : public Source {
public:
    HttpSource(const std::string &url, bool allow_http, long stall_timeout_s) : url_(url) {
        curl_global();
        curl_ = curl_easy_init();
        if (!curl_)
            fail("cannot initialise libcurl");
        curl_easy_setopt(curl_, CURLOPT_URL, url_.c_str());
        curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl_, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(curl_, CURLOPT_MAXREDIRS, 10L);
#if LIBCURL_VERSION_NUM >= 0x075500
        curl_easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, allow_http ? "http,https" : "https");
        curl_easy_setopt(curl_, CURLOPT_REDIR_PROTOCOLS_STR, "https");
#else
        curl_easy_setopt(curl_, CURLOPT_PROTOCOLS, allow_http ? (CURLPROTO_HTTP | CURLPROTO_HTTPS) : CURLPROTO_HTTPS);
        curl_easy_setopt(curl_, CURLOPT_REDIR_PROTOCOLS, static_cast<long>(CURLPROTO_HTTPS));
#endif
        curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT, 30L);
        curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(curl_, CURLOPT_LOW_SPEED_TIME, std::max(1L, stall_timeout_s));
        curl_easy_setopt(curl_, CURLOPT_USERAGENT, "neural-style-transfer fetch-weights");
        curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error_);
        curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &HttpSource::on_header);
        curl_easy_setopt(curl_, CURLOPT_HEADERDATA, this);
        curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &HttpSource::on_write);
        curl_easy_setopt(curl_, CURLOPT_WRITEDATA, this);
        curl_easy_setopt(curl_, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(curl_, CURLOPT_XFERINFOFUNCTION, &HttpSource::on_xferinfo);
        curl_easy_setopt(curl_, CURLOPT_XFERINFODATA, this);
    }
    ~HttpSource() override { curl_easy_cleanup(curl_); }
    HttpSource(const HttpSource &) = delete;
    HttpSource &operator=(const HttpSource &) = delete;

    TransferResult get(std::uint64_t begin, std::uint64_t end, Receiver &receiver) override {
        receiver_ = &receiver;
        requested_begin_ = begin;
        status_ = 0;
        started_ = stopped_ = false;
        reset_headers();
        error_[0] = '\0';
        pending_ = nullptr;
        failure_.clear();
        const std::string range =
            std::to_string(begin) + "-" + (end == kUnknown ? std::string() : std::to_string(end - 1));
        curl_easy_setopt(curl_, CURLOPT_RANGE, range.c_str());
        const CURLcode code = curl_easy_perform(curl_);
        receiver_ = nullptr;
        if (pending_)
            std::rethrow_exception(pending_);
        if (stopped_)
            return {Outcome::Stopped, {}};
        if (!failure_.empty())
            return {Outcome::Failed, failure_};
        if (code != CURLE_OK) {
            const std::string detail = error_[0] ? std::string(error_) : curl_easy_strerror(code);
            if (code == CURLE_UNSUPPORTED_PROTOCOL)
                fail("refused to follow " + url_ + ": " + one_line(detail) + " (only https:// is allowed)");
            if (code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE ||
                code == CURLE_URL_MALFORMAT || code == CURLE_TOO_MANY_REDIRECTS)
                fail(one_line(detail) + " (" + url_ + ")");
            return {Outcome::Failed, one_line(detail)};
        }
        if (!started_) { // an empty body: no write callback ran
            if (auto failure = check_status())
                return *failure;
            begin_response();
        }
        return {Outcome::Complete, {}};
    }

private:
    void reset_headers() {
        content_range_start_ = kUnknown;
        content_range_total_ = kUnknown;
        content_length_ = kUnknown;
        etag_.clear();
    }

    static bool parse_number(const std::string &text, std::uint64_t &out) {
        if (text.empty() || text.size() > 19 || !std::all_of(text.begin(), text.end(), ::isdigit))
            return false;
        out = std::stoull(text);
        return true;
    }

    static std::string trim(const std::string &text) {
        const auto first = text.find_first_not_of(" \t\r\n");
        if (first == std::string::npos)
            return {};
        const auto last = text.find_last_not_of(" \t\r\n");
        return text.substr(first, last - first + 1);
    }

    static size_t on_header(char *buffer, size_t size, size_t count, void *self_ptr) {
        auto *self = static_cast<HttpSource *>(self_ptr);
        const std::string line = trim(std::string(buffer, size * count));
        if (line.rfind("HTTP/", 0) == 0) { // a new response (redirects send several)
            self->reset_headers();
            const auto space = line.find(' ');
            self->status_ = space == std::string::npos ? 0 : std::atoi(line.c_str() + space + 1);
            return size * count;
        }
        const auto colon = line.find(':');
        if (colon == std::string::npos)
            return size * count;
        const std::string name = lower(trim(line.substr(0, colon)));
        const std::string value = trim(line.substr(colon + 1));
        if (name == "etag") {
            self->etag_ = value;
        } else if (name == "content-length") {
            parse_number(value, self->content_length_);
        } else if (name == "content-range") { // bytes FIRST-LAST/TOTAL, TOTAL may be *
            const std::string v = lower(value);
            const auto dash = v.find('-'), slash = v.find('/');
            if (v.rfind("bytes ", 0) == 0 && dash != std::string::npos && slash != std::string::npos && dash < slash) {
                parse_number(trim(v.substr(6, dash - 6)), self->content_range_start_);
                parse_number(trim(v.substr(slash + 1)), self->content_range_total_);
            }
        }
        return size * count;
    }

    // Turns a status that is not 200/206 into a retryable failure or a thrown error.
    std::optional<TransferResult> check_status() {
        if (status_ == 200 || status_ == 206)
            return std::nullopt;
        const std::string what = "HTTP " + std::to_string(status_) + " from " + url_;
        if (status_ == 416)
            throw SourceProblem(what + ": the server refused the byte range (has the file changed?)");
        if (status_ == 408 || status_ == 429 || status_ >= 500)
            return TransferResult{Outcome::Failed, what};
        fail(what);
    }

    void begin_response() {
        started_ = true;
        ResponseInfo info;
        info.etag = etag_;
        if (status_ == 206) {
            if (content_range_start_ == kUnknown)
                fail("HTTP 206 from " + url_ + " without a usable Content-Range");
            if (content_range_start_ != requested_begin_)
                fail("the server sent bytes from " + std::to_string(content_range_start_) + " when asked for " +
                     std::to_string(requested_begin_) + " (" + url_ + ")");
            info.partial = true;
            info.start = content_range_start_;
            info.total = content_range_total_;
        } else { // 200: the whole file from its first byte
            info.start = 0;
            info.total = content_length_;
        }
        receiver_->begin_response(info);
    }

    static size_t on_write(char *data, size_t size, size_t count, void *self_ptr) {
        auto *self = static_cast<HttpSource *>(self_ptr);
        try {
            if (!self->started_) {
                if (auto failure = self->check_status()) {
                    self->failure_ = failure->error;
                    return 0;
                }
                self->begin_response();
            }
            if (!self->receiver_->data(data, size * count)) {
                self->stopped_ = true;
                return 0;
            }
            return size * count;
        } catch (...) {
            self->pending_ = std::current_exception();
            return 0;
        }
    }

    static int on_xferinfo(void *self_ptr, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
        auto *self = static_cast<HttpSource *>(self_ptr);
        try {
            if (self->receiver_)
                self->receiver_->idle();
            return 0;
        } catch (...) {
            self->pending_ = std::current_exception();
            return 1;
        }
    }

    std::string url_;
    CURL *curl_ = nullptr;
    char error_[CURL_ERROR_SIZE] = {};
    Receiver *receiver_ = nullptr;
    std::uint64_t requested_begin_ = 0;
    long status_ = 0;
    bool started_ = false, stopped_ = false;
    std::uint64_t content_range_start_ = kUnknown, content_range_total_ = kUnknown, content_length_ = kUnknown;
    std::string etag_;
    std::string failure_; // a retryable HTTP status
    std::exception_ptr pending_;
};

// ---------------------------------------------------------------------------------------------------------------
// The download

struct PlanEntry {
    std::uint64_t begin = 0, end = 0; // absolute offsets in the source
    std::uint64_t part_offset = 0;    // where the range starts in DEST.part
    std::uint64_t done = 0;           // bytes held, from begin
    std::uint64_t length() const { return end - begin; }
    bool complete() const { return done == length(); }
};

std::string shape_text(const std::vector<int64_t> &shape) {
    std::string text;
    for (int64_t d : shape)
        text += (text.empty() ? "" : "x") + std::to_string(d);
    return "[" + text + "]";
}

class Download : public Receiver {
public:
    Download(const FetchRequest &request, const std::function<bool(const FetchProgress &)> &on_progress)
        : request_(request), on_progress_(on_progress), output_(request.output), part_path_(output_ + ".part"),
          sidecar_path_(output_ + ".part.json") {}

    FetchResult run() {
        check_source_url(request_.url);
        if (output_.empty())
            fail("no destination file given");
        if (request_.tensors.empty())
            fail("no tensors asked for");
        const ParsedUrl url = parse_url(request_.url);
        if (url.scheme == "file")
            source_ = std::make_unique<FileSource>(url.path);
        else
            source_ = std::make_unique<HttpSource>(request_.url, url.scheme == "http", request_.stall_timeout_s);

        folder_ = fs::path(output_).parent_path();
        if (folder_.empty())
            folder_ = ".";
        std::error_code error;
        fs::create_directories(folder_, error);
        if (error)
            fail("cannot create the folder " + folder_.string() + ": " + error.message());
        open_part();
        try {
            download();
            FetchResult result = write_output();
            ::unlink(sidecar_path_.c_str());
            ::unlink(part_path_.c_str());
            progress_.stage = FetchStage::Done;
            tick(true);
            return result;
        } catch (const SourceProblem &) {
            discard_part();
            throw;
        } catch (...) {
            keep_part();
            throw;
        }
    }

private:
    // ---- the partial download

    void open_part() {
        part_.reset(::open(part_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
        if (part_.get() < 0)
            fail("cannot create " + part_path_ + ": " + errno_text());
        if (::flock(part_.get(), LOCK_EX | LOCK_NB) != 0)
            fail("another download to " + output_ + " is in progress");
        // The lock is held on the file we opened: make sure it is still the one at the path.
        struct stat held {}, named {};
        if (::fstat(part_.get(), &held) != 0 || ::stat(part_path_.c_str(), &named) != 0 ||
            held.st_ino != named.st_ino || held.st_dev != named.st_dev)
            fail("another download to " + output_ + " is in progress");
        std::FILE *file = std::fopen(sidecar_path_.c_str(), "rb");
        if (file) {
            std::string text;
            char buffer[4096];
            size_t n;
            while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0)
                text.append(buffer, n);
            std::fclose(file);
            sidecar_ = json::parse(text, nullptr, false);
            if (!sidecar_.is_object())
                sidecar_ = json();
        }
    }

    void checkpoint() {
        if (!planned_)
            return;
        if (::fdatasync(part_.get()) != 0)
            fail("cannot write " + part_path_ + ": " + errno_text());
        json ranges = json::array();
        for (const PlanEntry &entry : plan_)
            ranges.push_back({entry.begin, entry.end, entry.done});
        json state = {{"version", 1},
                      {"url", request_.url},
                      {"source_size", source_size_ == kUnknown ? json(nullptr) : json(source_size_)},
                      {"etag", etag_},
                      {"header_length", head_.size()},
                      {"header_sha256", header_sha256_},
                      {"ranges", ranges}};
        write_file_atomically(sidecar_path_, state.dump(1) + "\n");
        since_checkpoint_ = 0;
    }

    void keep_part() noexcept {
        try {
            if (planned_ && part_.get() >= 0)
                checkpoint();
        } catch (...) {
        }
        // Nothing worth keeping: leave no clutter.
        struct stat st {};
        if (::stat(sidecar_path_.c_str(), &st) != 0 && part_.get() >= 0 && file_size_of(part_.get()) == 0)
            ::unlink(part_path_.c_str());
    }

    void discard_part() noexcept {
        ::unlink(sidecar_path_.c_str());
        ::unlink(part_path_.c_str());
    }

    // Takes over the progress recorded in the sidecar when it describes exactly this source and plan.
    void resume_or_reset() {
        bool usable = false;
        const json &s = sidecar_;
        try {
            if (s.is_object() && s.value("version", 0) == 1 && s.value("url", "") == request_.url &&
                s.value("header_sha256", "") == header_sha256_ && s.value("header_length", 0ull) == head_.size()) {
                const json &size = s.at("source_size");
                const bool same_size = size.is_null() ? source_size_ == kUnknown
                                                      : (size.get<std::uint64_t>() == source_size_);
                const std::string old_etag = s.value("etag", "");
                const bool same_etag = old_etag.empty() || etag_.empty() || old_etag == etag_;
                const json &ranges = s.at("ranges");
                bool same_plan = ranges.is_array() && ranges.size() == plan_.size();
                for (std::size_t i = 0; same_plan && i < plan_.size(); ++i)
                    same_plan = ranges[i].at(0).get<std::uint64_t>() == plan_[i].begin &&
                                ranges[i].at(1).get<std::uint64_t>() == plan_[i].end;
                usable = same_size && same_etag && same_plan;
                if (usable) {
                    const std::uint64_t held = file_size_of(part_.get());
                    for (std::size_t i = 0; i < plan_.size(); ++i) {
                        PlanEntry &entry = plan_[i];
                        const std::uint64_t recorded = ranges[i].at(2).get<std::uint64_t>();
                        const std::uint64_t available = held > entry.part_offset ? held - entry.part_offset : 0;
                        entry.done = std::min({recorded, available, entry.length()});
                        progress_.bytes_resumed += entry.done;
                    }
                }
            }
        } catch (const json::exception &) {
            usable = false;
        }
        if (!usable) {
            for (PlanEntry &entry : plan_)
                entry.done = 0;
            progress_.bytes_resumed = 0;
            ::unlink(sidecar_path_.c_str());
            if (::ftruncate(part_.get(), 0) != 0)
                fail("cannot truncate " + part_path_ + ": " + errno_text());
        }
        progress_.bytes_done = progress_.bytes_resumed;
    }

    // ---- receiving

    void begin_response(const ResponseInfo &info) override {
        if (info.total != kUnknown) {
            if (source_size_ != kUnknown && info.total != source_size_)
                throw SourceProblem("the source changed during the download (" + std::to_string(info.total) +
                                    " bytes, was " + std::to_string(source_size_) + ")");
            source_size_ = info.total;
        }
        // Weak validators (W/"...") may differ between servers of the same bytes: only strong ones are compared.
        if (!info.etag.empty() && info.etag.rfind("W/", 0) != 0) {
            if (!etag_.empty() && info.etag != etag_)
                throw SourceProblem("the source changed during the download (ETag " + info.etag + ", was " + etag_ +
                                    ")");
            etag_ = info.etag;
        }
        if (!info.partial && asked_for_range_)
            progress_.full_download = true;
        pos_ = info.start;
    }

    bool data(const char *bytes, std::size_t size) override {
        progress_.bytes_received += size;
        while (size > 0 && !planned_) {
            const std::uint64_t want = header_total_ ? header_total_ : 8;
            if (pos_ < head_.size()) { // already have these
                const std::size_t skip = static_cast<std::size_t>(std::min<std::uint64_t>(size, head_.size() - pos_));
                bytes += skip, size -= skip, pos_ += skip;
                continue;
            }
            if (pos_ > head_.size())
                return false; // a gap: ask again from where the header stops
            const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(size, want - head_.size()));
            head_.append(bytes, take);
            bytes += take, size -= take, pos_ += take;
            if (head_.size() == 8 && header_total_ == 0) {
                try {
                    header_total_ = 8 + header_length_from_prefix(
                                            reinterpret_cast<const unsigned char *>(head_.data()), source_size_);
                } catch (const StyleError &e) {
                    fail(request_.url + " is not a usable safetensors file: " + e.what());
                }
            } else if (header_total_ && head_.size() == header_total_) {
                make_plan();
            }
        }
        if (planned_ && size > 0)
            store(bytes, size);
        if (since_checkpoint_ >= kCheckpointBytes)
            checkpoint();
        tick(false);
        return !(planned_ && all_complete());
    }

    void idle() override { tick(false); }

    void store(const char *bytes, std::size_t size) {
        const std::uint64_t first = pos_, last = pos_ + size;
        for (PlanEntry &entry : plan_) {
            const std::uint64_t next = entry.begin + entry.done;
            if (entry.complete() || next < first || next >= last)
                continue;
            const std::uint64_t count = std::min(last, entry.end) - next;
            pwrite_all(part_.get(), bytes + (next - first), static_cast<std::size_t>(count),
                       entry.part_offset + entry.done, part_path_);
            entry.done += count;
            progress_.bytes_done += count;
            since_checkpoint_ += count;
        }
        pos_ = last;
    }

    bool all_complete() const {
        return std::all_of(plan_.begin(), plan_.end(), [](const PlanEntry &e) { return e.complete(); });
    }

    void make_plan() {
        const std::uint64_t data_size = source_size_ == kUnknown ? kUnknown : source_size_ - header_total_;
        try {
            header_ = parse_safetensors_header(head_.substr(8), header_total_, data_size);
        } catch (const StyleError &e) {
            fail(request_.url + " is not a usable safetensors file: " + e.what());
        }
        std::vector<ByteRange> ranges;
        try {
            ranges = plan_byte_ranges(header_, request_.tensors, request_.merge_gap);
        } catch (const StyleError &e) {
            fail(request_.url + ": " + e.what());
        }
        std::uint64_t offset = 0;
        for (const ByteRange &range : ranges) {
            PlanEntry entry;
            entry.begin = range.begin;
            entry.end = range.end;
            entry.part_offset = offset;
            offset += range.end - range.begin;
            plan_.push_back(entry);
        }
        header_sha256_ = sha256_of(head_);
        progress_.bytes_total = offset;
        progress_.stage = FetchStage::Downloading;
        resume_or_reset();
        planned_ = true;
        checkpoint();
        tick(true);
    }

    void tick(bool force) {
        const auto now = Clock::now();
        if (!force && now - last_tick_ < std::chrono::milliseconds(request_.progress_interval_ms))
            return;
        last_tick_ = now;
        if (on_progress_ && !on_progress_(progress_))
            throw FetchCancelled("download cancelled; " + megabytes(progress_.bytes_done) + " of " +
                                 megabytes(progress_.bytes_total) + " kept to resume next time");
    }

    // ---- the loop

    void download() {
        tick(true);
        // A resumed download knows the header's length: ask for just that.
        std::uint64_t first_request = kFirstRequestBytes;
        try {
            if (sidecar_.is_object() && sidecar_.value("header_length", 0ull) > 8)
                first_request = std::min<std::uint64_t>(sidecar_.value("header_length", 0ull), kMaxHeaderBytes + 8);
        } catch (const json::exception &) {
            sidecar_ = json();
        }
        int failures = 0;
        for (;;) {
            std::uint64_t begin, end;
            if (!planned_) {
                begin = head_.size();
                end = header_total_ ? header_total_ : begin + first_request;
            } else {
                auto next = std::find_if(plan_.begin(), plan_.end(), [](const PlanEntry &e) { return !e.complete(); });
                if (next == plan_.end())
                    break;
                begin = next->begin + next->done;
                end = next->end;
            }
            const std::uint64_t before = head_.size() + progress_.bytes_done;
            asked_for_range_ = true;
            const TransferResult result = source_->get(begin, end, *this);
            const bool advanced = head_.size() + progress_.bytes_done > before;
            if (result.outcome == Outcome::Failed) {
                checkpoint();
                failures = advanced ? 1 : failures + 1;
                if (failures > request_.retries) {
                    if (!planned_)
                        fail("cannot download " + request_.url + ": " + result.error);
                    fail("download interrupted: " + result.error + " (" + megabytes(progress_.bytes_done) + " of " +
                         megabytes(progress_.bytes_total) + " kept; run it again to resume)");
                }
                if (!advanced)
                    wait_before_retry(failures);
                continue;
            }
            if (!advanced) {
                if (!planned_)
                    fail(request_.url + " is not a usable safetensors file: it ends inside its header (" +
                         std::to_string(head_.size()) + " bytes)");
                throw SourceProblem(request_.url + " ends before the data of the tensors (bytes " +
                                    std::to_string(begin) + " to " + std::to_string(end) + " are missing)");
            }
            failures = 0;
        }
        checkpoint();
        tick(true); // the last report of the data stage shows it complete
    }

    void wait_before_retry(int failures) {
        const auto until = Clock::now() + std::chrono::seconds(1 << std::min(failures - 1, 3));
        while (Clock::now() < until) {
            tick(false);
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }

    // ---- the destination

    FetchResult write_output() {
        progress_.stage = FetchStage::Verifying;
        tick(true);

        // The header of the compact file: the tensors asked for, in order, back to back.
        nlohmann::ordered_json root = nlohmann::ordered_json::object();
        // Nothing about this download goes in (no URL, no date): the same weights give the same bytes and so the
        // same SHA-256 wherever they came from.
        root["__metadata__"] = {{"format", "pt"}};
        std::uint64_t offset = 0;
        for (const FetchTensor &tensor : request_.tensors) {
            const TensorEntry &entry = header_.tensors.at(tensor.key);
            const std::uint64_t bytes = entry.end - entry.begin;
            root[tensor.key] = {{"dtype", "F32"}, {"shape", entry.shape}, {"data_offsets", {offset, offset + bytes}}};
            offset += bytes;
        }
        std::string header = root.dump();
        header.append((8 - (8 + header.size()) % 8) % 8, ' ');
        std::string prefix(8, '\0');
        for (int i = 0; i < 8; ++i)
            prefix[i] = static_cast<char>((header.size() >> (8 * i)) & 0xff);
        const std::string head = prefix + header;
        const std::uint64_t file_bytes = head.size() + offset;

        std::string temp = (folder_ / ("." + fs::path(output_).filename().string() + ".XXXXXX")).string();
        Fd out(::mkstemp(temp.data()));
        if (out.get() < 0)
            fail("cannot create a file in " + folder_.string() + ": " + errno_text());
        ::fcntl(out.get(), F_SETFD, FD_CLOEXEC);
        struct TempGuard {
            std::string path;
            bool keep = false;
            ~TempGuard() {
                if (!keep)
                    ::unlink(path.c_str());
            }
        } guard{temp};
        ::fchmod(out.get(), 0644);

        Sha256 hash;
        hash.update(head.data(), head.size());
        pwrite_all(out.get(), head.data(), head.size(), 0, temp);
        std::uint64_t written = head.size();
        std::vector<char> buffer(kCopyChunk);
        for (const FetchTensor &tensor : request_.tensors) {
            const TensorEntry &entry = header_.tensors.at(tensor.key);
            const std::uint64_t first = header_total_ + entry.begin, last = header_total_ + entry.end;
            const PlanEntry *range = nullptr;
            for (const PlanEntry &candidate : plan_)
                if (candidate.begin <= first && last <= candidate.end)
                    range = &candidate;
            if (first != last && (!range || !range->complete()))
                fail("internal error: the data of tensor '" + tensor.key + "' was not downloaded");
            for (std::uint64_t at = first; at < last;) {
                const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), last - at));
                pread_all(part_.get(), buffer.data(), n, range->part_offset + (at - range->begin), part_path_);
                for (std::size_t i = 0; i + 4 <= n; i += 4) {
                    float value;
                    std::memcpy(&value, buffer.data() + i, 4);
                    if (!std::isfinite(value))
                        throw SourceProblem(request_.url + ": tensor '" + tensor.key +
                                            "' contains NaN or infinite values");
                }
                hash.update(buffer.data(), n);
                pwrite_all(out.get(), buffer.data(), n, written, temp);
                written += n;
                at += n;
            }
            tick(false);
        }
        if (::fsync(out.get()) != 0)
            fail("cannot write " + temp + ": " + errno_text());

        // Read back what was written: it must parse and be the expected size.
        std::string check(head.size(), '\0');
        pread_all(out.get(), check.data(), check.size(), 0, temp);
        if (check != head || file_size_of(out.get()) != file_bytes)
            fail("cannot write " + temp + ": the file reads back differently");
        parse_safetensors_header(check.substr(8), check.size(), file_bytes - check.size());
        out.reset();

        if (::rename(temp.c_str(), output_.c_str()) != 0)
            fail("cannot rename " + temp + " to " + output_ + ": " + errno_text());
        guard.keep = true;
        fsync_folder(folder_);

        FetchResult result;
        result.path = output_;
        result.sha256 = hash.hex();
        result.file_bytes = file_bytes;
        result.source_bytes = source_size_ == kUnknown ? 0 : source_size_;
        result.bytes_received = progress_.bytes_received;
        result.bytes_resumed = progress_.bytes_resumed;
        result.tensors = request_.tensors.size();
        result.full_download = progress_.full_download;
        return result;
    }

    const FetchRequest &request_;
    const std::function<bool(const FetchProgress &)> &on_progress_;
    std::string output_, part_path_, sidecar_path_;
    fs::path folder_;
    std::unique_ptr<Source> source_;
    Fd part_;
    json sidecar_;

    std::string head_;              // the prefix and JSON header, as received
    std::uint64_t header_total_ = 0;
    std::string header_sha256_;
    SafetensorsHeader header_;
    std::uint64_t source_size_ = kUnknown;
    std::string etag_;
    bool planned_ = false;
    bool asked_for_range_ = false;
    std::vector<PlanEntry> plan_;
    std::uint64_t pos_ = 0;
    std::uint64_t since_checkpoint_ = 0;
    FetchProgress progress_;
    Clock::time_point last_tick_{};
};

} // namespace

void check_source_url(const std::string &url) {
    const ParsedUrl parsed = parse_url(url);
    if (parsed.scheme == "https" || parsed.scheme == "file")
        return;
    if (parsed.scheme == "http") {
        if (is_loopback_host(parsed.host))
            return;
        fail("refusing " + one_line(url) + ": only https:// is allowed for remote URLs (http:// only to 127.0.0.1, "
             "localhost or [::1])");
    }
    fail("refusing " + one_line(url) + ": use https://..., or file:///path for a local file");
}

std::vector<ByteRange> plan_byte_ranges(const SafetensorsHeader &header, const std::vector<FetchTensor> &tensors,
                                        std::uint64_t merge_gap) {
    std::vector<ByteRange> spans;
    for (const FetchTensor &tensor : tensors) {
        auto it = header.tensors.find(tensor.key);
        if (it == header.tensors.end())
            fail("tensor '" + tensor.key + "' is missing (not a VGG19 weights file?)");
        const TensorEntry &entry = it->second;
        if (entry.dtype != "F32")
            fail("tensor '" + tensor.key + "' is " + entry.dtype + ", expected F32");
        if (entry.shape != tensor.shape)
            fail("tensor '" + tensor.key + "' has shape " + shape_text(entry.shape) + ", expected " +
                 shape_text(tensor.shape));
        if (entry.end > entry.begin)
            spans.push_back({header.data_start + entry.begin, header.data_start + entry.end});
    }
    std::sort(spans.begin(), spans.end(),
              [](const ByteRange &a, const ByteRange &b) { return a.begin < b.begin; });
    std::vector<ByteRange> merged;
    for (const ByteRange &span : spans) {
        if (!merged.empty() && span.begin <= merged.back().end + merge_gap)
            merged.back().end = std::max(merged.back().end, span.end);
        else
            merged.push_back(span);
    }
    return merged;
}

std::string sha256_file(const std::string &path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0)
        fail("cannot open " + path + ": " + errno_text());
    Sha256 hash;
    std::vector<char> buffer(kCopyChunk);
    for (;;) {
        const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            fail("cannot read " + path + ": " + errno_text());
        if (n == 0)
            break;
        hash.update(buffer.data(), static_cast<std::size_t>(n));
    }
    return hash.hex();
}

FetchResult fetch_weights(const FetchRequest &request, const std::function<bool(const FetchProgress &)> &on_progress) {
    Download download(request, on_progress);
    return download.run();
}

} // namespace neural_style
