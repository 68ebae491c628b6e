namespace Mxfp4.Core.Verification;

/// <summary>What a verification does beyond the header checks, which always run.</summary>
public sealed class VerificationOptions
{
    /// <summary>Compute every shard's SHA-256 and check it against the HF blob name and the manifest.</summary>
    public bool Hash { get; init; }

    /// <summary>Read the data: count NaN and Inf values in float tensors and NaN blocks in MXFP4 pairs.</summary>
    public bool Deep { get; init; }

    /// <summary>A <c>sha256sum</c>-format file to check the hashes against (implies <see cref="Hash"/>).</summary>
    public string? ManifestPath { get; init; }

    /// <summary>Worker threads for hashing and scanning; 0 = all.</summary>
    public int Threads { get; init; }
}
