#include "measure.h"

#include "inputs.h"

#ifdef NEURAL_STYLE_BENCHMARK_HAVE_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace neural_style::benchmark {

ChildInputs load_child_inputs(const Args &args) {
    return {load_npy(args.child_content), load_npy(args.child_style),
            load_vgg19_weights(args.workdir + "/weights.safetensors")};
}

StyleOptions child_options(const Args &args, const std::string &preset) {
    StyleOptions options = *preset_by_name(preset);
    options.max_size = args.child_size;
    options.device = *parse_device_choice(args.child_device);
    options.threads = args.threads;
    return options;
}

void reset_gpu_peak(bool cuda) {
#ifdef NEURAL_STYLE_BENCHMARK_HAVE_CUDA
    if (cuda)
        c10::cuda::CUDACachingAllocator::resetPeakStats(0);
#else
    (void)cuda;
#endif
}

json memory_report(bool cuda, double baseline_mb) {
    json m;
    m["baseline_mb"] = baseline_mb;
    m["peak_rss_mb"] = proc_status_mb("VmHWM");
    m["working_mb"] = proc_status_mb("VmHWM") - baseline_mb;
    m["kind"] = "process peak resident set (VmHWM), fresh process";
#ifdef NEURAL_STYLE_BENCHMARK_HAVE_CUDA
    if (cuda) {
        const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(0);
        // Index 0 of each stat array is the aggregate over pool types, in every LibTorch version.
        m["gpu_peak_allocated_mb"] = static_cast<double>(stats.allocated_bytes[0].peak) / (1024.0 * 1024.0);
        m["gpu_peak_reserved_mb"] = static_cast<double>(stats.reserved_bytes[0].peak) / (1024.0 * 1024.0);
        m["working_mb"] = m["gpu_peak_allocated_mb"];
        m["kind"] = "GPU caching allocator peak allocated bytes";
    }
#else
    (void)cuda;
#endif
    return m;
}

} // namespace neural_style::benchmark
