using Xunit;
using Xunit.Abstractions;

namespace FletSecret.Cipher.Tests;

/// <summary>Each test project must run against the build it names, or the "both builds" claim is empty.</summary>
public sealed class BuildTargetTests
{
    private readonly ITestOutputHelper _output;

    public BuildTargetTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Runs_against_the_intended_library_build()
    {
        _output.WriteLine($"FletSecret.Cipher build under test: {LibraryBuild.TargetFramework} ({typeof(FletKey).Assembly.Location})");
        Assert.Equal(LibraryBuild.Expected, LibraryBuild.TargetFramework);
    }
}
