using System.Diagnostics;
using System.Text.Json;
using Mxfp4.Core.Mxfp4;
using Mxfp4.Core.Safetensors;
using Mxfp4.Core.Tensors;

namespace Mxfp4.Core.Verification;

/// <summary>
/// Checks a checkpoint against every rule the strict reader applies, and more, without stopping at the first problem:
/// each shard's header (with its exact length), the index against the files in both directions, the MXFP4 pairs,
/// config.json, a Hugging Face cache snapshot's links and blobs, and optionally the SHA-256 of every shard and the
/// data's NaN and Inf values. Every problem is collected and attributed to the file it concerns.
/// </summary>
public static class CheckpointVerifier
{
    private const string ConfigFileName = "config.json";

    /// <summary>
    /// Verifies the checkpoint at <paramref name="path"/> (a file, directory or index). Throws only when the path does
    /// not exist or the run is cancelled; everything else wrong is a problem in the result.
    /// </summary>
    public static CheckpointVerification Verify(string path, VerificationOptions options, Action<VerificationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        return new Run(Path.GetFullPath(path), options, progress, cancellationToken).Execute();
    }

    private sealed class Run(string path, VerificationOptions options, Action<VerificationProgress>? progress,
        CancellationToken cancellationToken)
    {
        private readonly List<VerificationProblem> _problems = [];
        private readonly List<string> _files = [];
        private readonly List<string> _shards = [];
        private readonly Dictionary<string, SafetensorsHeader> _headers = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _hashes = new(StringComparer.Ordinal);
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly HashSet<string> _indexedFiles = new(StringComparer.Ordinal);
        private readonly List<string> _indexedTensors = [];
        private string _root = string.Empty;
        private long _hashedBytes;

        public CheckpointVerification Execute()
        {
            string? indexPath = null;
            bool isFile = false;
            if (Directory.Exists(path))
            {
                _root = path;
                string candidate = Path.Combine(path, Checkpoint.DefaultIndexName);
                indexPath = File.Exists(candidate) ? candidate : null;
            }
            else if (File.Exists(path))
            {
                _root = Path.GetDirectoryName(path)!;
                isFile = !path.EndsWith(".index.json", StringComparison.OrdinalIgnoreCase);
                indexPath = isFile ? null : path;
            }
            else
            {
                throw new CheckpointException(ErrorIds.PathNotFound, Mxfp4ErrorCategory.ObjectNotFound, $"'{path}' does not exist.", path);
            }

            var snapshot = HuggingFaceSnapshot.Detect(_root);
            var weightMap = indexPath is null ? null : ReadIndex(indexPath);
            if (isFile)
            {
                _shards.Add(path);
            }
            else if (weightMap is null)
            {
                _shards.AddRange(SafetensorsFilesOf(_root));
                if (_shards.Count == 0)
                {
                    Add(VerificationProblem.Error(ErrorIds.NoSafetensorsFiles, Mxfp4ErrorCategory.ObjectNotFound, _root, null,
                        $"'{_root}' holds neither {Checkpoint.DefaultIndexName} nor any *.safetensors file."));
                }
            }

            _files.AddRange(_shards);
            ReadHeaders();
            if (weightMap is not null)
            {
                CheckIndexAgainstShards(indexPath!, weightMap);
            }
            else if (!isFile)
            {
                CheckNoDuplicates();
            }

            var tensors = _shards.Where(_headers.ContainsKey).SelectMany(s => _headers[s].Tensors).ToArray();

            // Tensors the index places in a shard that could not be read are already reported with that shard; their
            // absence must not be reported again as a half-missing MXFP4 pair.
            var unreadable = weightMap?.Where(e => !_headers.ContainsKey(e.Value)).Select(e => e.Key).ToHashSet(StringComparer.Ordinal)
                ?? [];
            var pairs = CheckPairs(tensors, unreadable);
            if (!isFile)
            {
                CheckConfig(tensors.Select(t => t.Name).Concat(_indexedTensors).Any(Mxfp4Pairing.IsMxfp4Part));
            }

            if (snapshot is not null)
            {
                CheckSnapshot(snapshot);
            }

            if (options.Hash || options.ManifestPath is not null)
            {
                HashShards(snapshot);
            }

            if (options.Deep)
            {
                ScanData(pairs);
            }

            var results = _files.Concat(_problems.Select(p => p.Path)).Distinct(StringComparer.Ordinal)
                .Select(f
                    => new FileVerification(f, _problems.Where(p => string.Equals(p.Path, f, StringComparison.Ordinal)).ToArray(),
                    _hashes.GetValueOrDefault(f)))
                .ToArray();
            return new CheckpointVerification(path, results, tensors.Length, _hashedBytes, _clock.Elapsed);
        }

        private void Add(VerificationProblem problem) => _problems.Add(problem);

        private static string[] SafetensorsFilesOf(string directory) => Directory.EnumerateFiles(directory)
            .Where(f => f.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
            .Select(Path.GetFullPath)
            .Order(StringComparer.Ordinal)
            .ToArray();

        /// <summary>Reads the index and resolves its shard names; null when the index itself cannot be used (the directory's files are
        /// checked instead).</summary>
        private Dictionary<string, string>? ReadIndex(string indexPath)
        {
            _files.Add(indexPath);
            CheckpointIndex index;
            try
            {
                index = CheckpointIndex.Read(indexPath);
            }
            catch (CheckpointException e)
            {
                Add(VerificationProblem.From(e, indexPath));
                return null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Add(ReadFailed(indexPath, e));
                return null;
            }

            var shardOf = new Dictionary<string, string>(StringComparer.Ordinal);
            var resolved = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var (tensor, shardName) in index.WeightMap)
            {
                _indexedFiles.Add(Path.GetFullPath(Path.Combine(_root, shardName)));
                _indexedTensors.Add(tensor);
                if (!resolved.TryGetValue(shardName, out var shardPath))
                {
                    try
                    {
                        shardPath = ShardPathResolver.Resolve(_root, shardName, indexPath);
                    }
                    catch (CheckpointException e)
                    {
                        Add(VerificationProblem.From(e, indexPath));
                        shardPath = null;
                    }

                    resolved.Add(shardName, shardPath);
                }

                if (shardPath is not null)
                {
                    shardOf.Add(tensor, shardPath);
                }
            }

            foreach (var (shardName, shardPath) in resolved.Where(r => r.Value is not null).OrderBy(r => r.Value, StringComparer.Ordinal))
            {
                if (_shards.Contains(shardPath!, StringComparer.Ordinal))
                {
                    continue;
                }

                if (File.Exists(shardPath))
                {
                    _shards.Add(shardPath!);
                }
                else
                {
                    Add(VerificationProblem.Error(
                        ErrorIds.ShardNotFound, Mxfp4ErrorCategory.ObjectNotFound, shardPath!, null,
                        $"'{indexPath}': shard '{shardName}' does not exist (looked for '{shardPath}')."));
                }
            }

            return shardOf;
        }

        private void ReadHeaders()
        {
            foreach (var shard in _shards)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    _headers.Add(shard, SafetensorsHeader.Read(shard));
                }
                catch (SafetensorsFormatException e)
                {
                    Add(VerificationProblem.From(e, shard));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Add(ReadFailed(shard, e));
                }
            }
        }

        private void CheckIndexAgainstShards(string indexPath, Dictionary<string, string> shardOf)
        {
            foreach (var (tensor, shard) in shardOf)
            {
                if (_headers.TryGetValue(shard, out var header) && header.Find(tensor) is null)
                {
                    Add(VerificationProblem.Error(
                        ErrorIds.TensorNotInShard, Mxfp4ErrorCategory.InvalidData, shard, tensor,
                        $"'{indexPath}': weight_map puts tensor '{tensor}' in shard '{shard}', which does not hold it."));
                }
            }

            foreach (var shard in _shards)
            {
                if (!_headers.TryGetValue(shard, out var header))
                {
                    continue;
                }

                foreach (var tensor in header.Tensors)
                {
                    if (!shardOf.TryGetValue(tensor.Name, out var mapped))
                    {
                        Add(VerificationProblem.Error(
                            ErrorIds.TensorNotIndexed, Mxfp4ErrorCategory.InvalidData, shard, tensor.Name,
                            $"Shard '{shard}' holds tensor '{tensor.Name}', which the weight_map of '{indexPath}' does not list; loaders "
                                + "that follow the index never see it."));
                    }
                    else if (!string.Equals(mapped, shard, StringComparison.Ordinal))
                    {
                        bool both = _headers.TryGetValue(mapped, out var other) && other.Find(tensor.Name) is not null;
                        Add(both
                            ? VerificationProblem.Error(
                                ErrorIds.DuplicateTensorName, Mxfp4ErrorCategory.InvalidData, shard, tensor.Name,
                                $"Tensor '{tensor.Name}' is in both '{shard}' and '{mapped}' (the weight_map of '{indexPath}' names "
                                    + $"'{mapped}').")
                            : VerificationProblem.Error(
                                ErrorIds.InvalidCheckpointIndex, Mxfp4ErrorCategory.InvalidData, shard, tensor.Name,
                                $"'{indexPath}': shard '{shard}' holds tensor '{tensor.Name}' but weight_map assigns it to '{mapped}'."));
                    }
                }
            }

            foreach (var stray in SafetensorsFilesOf(_root).Where(f => !_indexedFiles.Contains(f) && !shardOf.ContainsValue(f)))
            {
                _files.Add(stray);
                Add(VerificationProblem.Warning(
                    ErrorIds.ShardNotIndexed, stray, null,
                    $"'{stray}' is a safetensors file in the checkpoint directory that '{indexPath}' never names; loaders ignore it."));
            }
        }

        private void CheckNoDuplicates()
        {
            var owner = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var shard in _shards.Where(_headers.ContainsKey))
            {
                foreach (var tensor in _headers[shard].Tensors)
                {
                    if (!owner.TryAdd(tensor.Name, shard))
                    {
                        Add(VerificationProblem.Error(
                            ErrorIds.DuplicateTensorName, Mxfp4ErrorCategory.InvalidData, shard, tensor.Name,
                            $"Tensor '{tensor.Name}' is in both '{owner[tensor.Name]}' and '{shard}'."));
                    }
                }
            }
        }

        private List<Mxfp4TensorInfo> CheckPairs(IEnumerable<TensorInfo> tensors, HashSet<string> unreadable)
        {
            var pairs = new List<Mxfp4TensorInfo>();
            foreach (var result in Mxfp4Pairing.Pair(tensors))
            {
                if (result.Error is { } error)
                {
                    bool otherHalfUnreadable = error.ErrorId switch
                    {
                        ErrorIds.ScalesMissing => unreadable.Contains(error.ScalesName),
                        ErrorIds.BlocksMissing => unreadable.Contains(error.BlocksName),
                        _ => false,
                    };
                    if (otherHalfUnreadable)
                    {
                        continue;
                    }

                    string tensor = error.ErrorId == ErrorIds.BlocksMissing ? error.ScalesName : error.BlocksName;
                    Add(VerificationProblem.From(error, error.Path, tensor));
                }
                else
                {
                    pairs.Add(result.Tensor!);
                }
            }

            return pairs;
        }

        private void CheckConfig(bool hasMxfp4)
        {
            string config = Path.Combine(_root, ConfigFileName);
            if (!File.Exists(config))
            {
                return;
            }

            _files.Add(config);
            bool declaresMxfp4;
            try
            {
                using var document = JsonDocument.Parse(File.ReadAllBytes(config));
                declaresMxfp4 = document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.TryGetProperty("quantization_config", out var quantization)
                    && quantization.ValueKind == JsonValueKind.Object
                    && quantization.TryGetProperty("quant_method", out var method)
                    && method.ValueKind == JsonValueKind.String
                    && string.Equals(method.GetString(), "mxfp4", StringComparison.OrdinalIgnoreCase);
            }
            catch (JsonException e)
            {
                Add(VerificationProblem.Error(ErrorIds.InvalidConfig, Mxfp4ErrorCategory.InvalidData, config, null,
                    $"'{config}' is not valid JSON: {e.Message}"));
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Add(ReadFailed(config, e));
                return;
            }

            if (declaresMxfp4 != hasMxfp4)
            {
                Add(VerificationProblem.Warning(
                    ErrorIds.QuantizationConfigMismatch, config, null,
                    hasMxfp4
                        ? $"The checkpoint holds MXFP4 blocks/scales pairs but '{config}' has no quantization_config with quant_method "
                            + "mxfp4; loaders will not dequantize them."
                        : $"'{config}' declares quantization_config quant_method mxfp4 but the checkpoint holds no MXFP4 blocks/scales "
                            + "pairs (a dense checkpoint with the quantized model's config)."));
            }
        }

        private void CheckSnapshot(HuggingFaceSnapshot snapshot)
        {
            foreach (var (link, target) in snapshot.DanglingLinks())
            {
                Add(VerificationProblem.Error(
                    ErrorIds.IncompleteDownload, Mxfp4ErrorCategory.ObjectNotFound, link, null,
                    $"'{link}' links to '{target}', which does not exist: the download of this file is missing or was interrupted."));
            }

            foreach (var blob in snapshot.IncompleteBlobs())
            {
                Add(VerificationProblem.Error(
                    ErrorIds.IncompleteDownload, Mxfp4ErrorCategory.InvalidData, blob, null,
                    $"'{blob}' is an interrupted download of this repository; download the snapshot again (huggingface-cli download "
                        + "resumes it)."));
            }
        }

        private void HashShards(HuggingFaceSnapshot? snapshot)
        {
            Sha256Manifest? manifest = null;
            if (options.ManifestPath is { } manifestPath)
            {
                try
                {
                    manifest = Sha256Manifest.Read(manifestPath);
                }
                catch (Mxfp4Exception e)
                {
                    Add(VerificationProblem.From(e, Path.GetFullPath(manifestPath)));
                }
            }

            var files = _shards.Where(File.Exists).ToArray();
            long total = files.Sum(f => new FileInfo(f).Length);
            var results = ShardHasher.Hash(files, options.Threads, done
                => progress?.Invoke(new VerificationProgress("Hashing", done, total, path)), cancellationToken);
            foreach (var file in files)
            {
                var result = results[file];
                if (result.Sha256 is not { } actual)
                {
                    Add(ReadFailed(file, result.Error!));
                    continue;
                }

                _hashes[file] = actual;
                _hashedBytes += new FileInfo(file).Length;
                if (snapshot is not null && HuggingFaceSnapshot.ExpectedSha256(file) is { } blobHash && blobHash != actual)
                {
                    Add(VerificationProblem.Error(
                        ErrorIds.HashMismatch, Mxfp4ErrorCategory.InvalidData, file, null,
                        $"'{file}' has SHA-256 {actual}, but its blob is named {blobHash}, the SHA-256 the download promised: the file "
                            + "is corrupt."));
                }

                if (manifest is null)
                {
                    continue;
                }

                string relative = Path.GetRelativePath(_root, file).Replace('\\', '/');
                if ((manifest.Find(relative) ?? manifest.Find(Path.GetFileName(file))) is not { } listed)
                {
                    Add(VerificationProblem.Warning(ErrorIds.NotInManifest, file, null,
                        $"'{manifest.Path}' lists no hash for '{relative}'."));
                }
                else if (listed != actual)
                {
                    Add(VerificationProblem.Error(
                        ErrorIds.HashMismatch, Mxfp4ErrorCategory.InvalidData, file, null,
                        $"'{file}' has SHA-256 {actual}, but '{manifest.Path}' lists {listed}."));
                }
            }
        }

        private void ScanData(List<Mxfp4TensorInfo> pairs)
        {
            var logicalOfScales = pairs.ToDictionary(p => (p.Scales.Path, p.Scales.Name), p => p.Name);
            bool Scannable(TensorInfo t) => t.ByteLength > 0
                && (NonFiniteScanner.IsSupported(t.DType) || logicalOfScales.ContainsKey((t.Path, t.Name)));
            long total = _headers.Values.SelectMany(h => h.Tensors).Where(Scannable).Sum(t => t.ByteLength);
            long done = 0;
            foreach (var shard in _shards.Where(_headers.ContainsKey))
            {
                var header = _headers[shard];
                var tensors = header.Tensors.Where(Scannable).ToArray();
                if (tensors.Length == 0)
                {
                    continue;
                }

                try
                {
                    using var map = MappedFile.Open(shard);
                    SafetensorsFile.CheckLength(header, map.Length);
                    foreach (var tensor in tensors)
                    {
                        progress?.Invoke(new VerificationProgress("Scanning", done, total, tensor.Name));
                        bool isScales = logicalOfScales.TryGetValue((tensor.Path, tensor.Name), out var logical);
                        var count = NonFiniteScanner.Count(map, tensor.DataOffset, tensor.ByteLength, tensor.DType, isScales,
                            options.Threads, cancellationToken);
                        done += tensor.ByteLength;
                        if (count.Total != 0)
                        {
                            string what = isScales
                                ? $"{count.NaN} NaN block(s) (scale byte 255, 32 NaN elements each)"
                                : $"{count.NaN} NaN and {count.Infinity} infinite value(s)";
                            Add(VerificationProblem.Error(
                                ErrorIds.NonFiniteValues, Mxfp4ErrorCategory.InvalidData, shard, logical ?? tensor.Name,
                                $"Tensor '{logical ?? tensor.Name}' in '{shard}' holds {what}."));
                        }
                    }
                }
                catch (SafetensorsFormatException e)
                {
                    Add(new VerificationProblem(ErrorIds.SourceChanged, VerificationSeverity.Error, Mxfp4ErrorCategory.ReadError, shard,
                        null, e.Message));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Add(ReadFailed(shard, e));
                }
            }

            progress?.Invoke(new VerificationProgress("Scanning", total, total, path));
        }

        private static VerificationProblem ReadFailed(string file, Exception e) => e is UnauthorizedAccessException
            ? VerificationProblem.Error(ErrorIds.CheckpointAccessDenied, Mxfp4ErrorCategory.PermissionDenied, file, null,
                $"'{file}' could not be read: {e.Message}")
            : VerificationProblem.Error(ErrorIds.CheckpointReadFailed, Mxfp4ErrorCategory.ReadError, file, null,
                $"'{file}' could not be read: {e.Message}");
    }
}
