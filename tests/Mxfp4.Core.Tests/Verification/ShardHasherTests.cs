using Mxfp4.Core.Verification;
using Xunit;

namespace Mxfp4.Core.Tests.Verification;

public sealed class ShardHasherTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mxfp4-hash-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Hashes_the_FIPS_180_test_vectors_and_files_larger_than_one_read()
    {
        string abc = Write("abc", "abc"u8.ToArray());
        string empty = Write("empty", []);

        // A million 'a': FIPS 180-2 appendix B.3; spans several 1 MiB reads only when doubled, so use 3 MiB of 'a' too.
        string million = Write("million", Enumerable.Repeat((byte)'a', 1_000_000).ToArray());
        var results = ShardHasher.Hash([abc, empty, million], threads: 2, progress: null, CancellationToken.None);
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", results[abc].Sha256);
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", results[empty].Sha256);
        Assert.Equal("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", results[million].Sha256);

        var big = new byte[(3 << 20) + 17];
        new Random(5).NextBytes(big);
        string bigPath = Write("big", big);
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(big)).ToLowerInvariant(),
            ShardHasher.Hash([bigPath], threads: 1, progress: null, CancellationToken.None)[bigPath].Sha256);
    }

    [Fact]
    public void A_missing_file_is_an_error_of_that_file_only()
    {
        string abc = Write("abc", "abc"u8.ToArray());
        string missing = Path.Combine(_directory, "missing");
        var results = ShardHasher.Hash([missing, abc], threads: 1, progress: null, CancellationToken.None);
        Assert.IsAssignableFrom<IOException>(results[missing].Error);
        Assert.NotNull(results[abc].Sha256);
    }

    [Fact]
    public void Cancellation_stops_hashing()
    {
        string abc = Write("abc", "abc"u8.ToArray());
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => ShardHasher.Hash([abc], 1, null, cancelled.Token));
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
