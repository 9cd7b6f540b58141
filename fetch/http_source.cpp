// SPDX-License-Identifier: GPL-3.0-or-later
#include "http_source.h"

#include "http_headers.h"

#include <curl/curl.h>

#include <algorithm>
#include <exception>
#include <mutex>
#include <optional>

namespace neural_style::fetch {

namespace {

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
        head_ = ResponseHead();
        started_ = stopped_ = false;
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
    static size_t on_header(char *buffer, size_t size, size_t count, void *self_ptr) {
        read_header_line(std::string(buffer, size * count), static_cast<HttpSource *>(self_ptr)->head_);
        return size * count;
    }

    // Turns a status that is not 200/206 into a retryable failure or a thrown error.
    std::optional<TransferResult> check_status() {
        const int status = head_.status;
        if (status == 200 || status == 206)
            return std::nullopt;
        const std::string what = "HTTP " + std::to_string(status) + " from " + url_;
        if (status == 416)
            throw SourceProblem(what + ": the server refused the byte range (has the file changed?)");
        if (status == 408 || status == 429 || status >= 500)
            return TransferResult{Outcome::Failed, what};
        fail(what);
    }

    void begin_response() {
        started_ = true;
        ResponseInfo info;
        info.etag = head_.etag;
        if (head_.status == 206) {
            const std::optional<ContentRange> &range = head_.content_range;
            if (!range)
                fail("HTTP 206 from " + url_ + " without a usable Content-Range");
            // Offsets in the header are only checked against a known size: a part of unknown whole is refused.
            if (range->total == kUnknown)
                fail("HTTP 206 from " + url_ + " does not say the size of the file (Content-Range */)");
            if (range->first != requested_begin_)
                fail("the server sent bytes from " + std::to_string(range->first) + " when asked for " +
                     std::to_string(requested_begin_) + " (" + url_ + ")");
            info.partial = true;
            info.start = range->first;
            info.total = range->total;
        } else { // 200: the whole file from its first byte
            info.start = 0;
            info.total = head_.content_length;
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
    ResponseHead head_;
    bool started_ = false, stopped_ = false;
    std::string failure_; // a retryable HTTP status
    std::exception_ptr pending_;
};

} // namespace

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

std::unique_ptr<Source> make_http_source(const std::string &url, bool allow_http, long stall_timeout_s) {
    return std::make_unique<HttpSource>(url, allow_http, stall_timeout_s);
}

} // namespace neural_style::fetch
