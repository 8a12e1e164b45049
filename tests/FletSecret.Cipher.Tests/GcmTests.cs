using System;
using System.Linq;
using System.Security.Cryptography;
using Xunit;
using Xunit.Abstractions;

namespace FletSecret.Cipher.Tests;

/// <summary>
/// The GCM layer on its own (Vectors/aes-gcm: 168 cases, nonces of 8 to 128 bytes, made with Python's cryptography),
/// with both GHASH multiplies, and against .NET's own AesGcm for 12-byte nonces.
/// </summary>
public sealed class GcmTests
{
    private readonly ITestOutputHelper _output;

    public GcmTests(ITestOutputHelper output) => _output = output;

    /// <summary>Case index and whether to force the software GHASH multiply.</summary>
    public static TheoryData<int, bool> AllCasesBothEngines
    {
        get
        {
            var data = new TheoryData<int, bool>();
            for (int i = 0; i < Vectors.Gcm.Value.Count; i++)
            {
                data.Add(i, false);
                data.Add(i, true);
            }
            return data;
        }
    }

    internal static GHashEngine Engine(bool software) => software ? GHashEngine.Software : GHashEngine.Auto;

    [Fact]
    public void The_vector_file_has_every_nonce_length()
    {
        var cases = Vectors.Gcm.Value;
        Assert.Equal(168, cases.Count);
        Assert.Equal(new[] { 8, 12, 13, 16, 32, 48, 64, 128 }, cases.Select(c => c.Nonce.Length / 2).Distinct().OrderBy(n => n));
        Assert.Equal(new[] { 16, 24, 32 }, cases.Select(c => c.Key.Length / 2).Distinct().OrderBy(n => n));
        Assert.Contains(cases, c => c.Aad.Length > 0);
    }

    [Fact]
    public void The_hardware_multiply_is_used_where_the_build_and_the_cpu_have_it()
    {
        using var auto = new GcmCipher(new byte[16]);
        using var software = new GcmCipher(new byte[16], GHashEngine.Software);
        _output.WriteLine($"library {LibraryBuild.TargetFramework}; carry-less multiply: {GHash.HardwareAvailable}");
        Assert.False(software.UsesHardwareMultiply);
        if (LibraryBuild.IsNetStandard) Assert.False(auto.UsesHardwareMultiply);
#if !NETFRAMEWORK
        else Assert.Equal(System.Runtime.Intrinsics.X86.Pclmulqdq.IsSupported || System.Runtime.Intrinsics.Arm.Aes.IsSupported, auto.UsesHardwareMultiply);
#endif
    }

    [Theory]
    [MemberData(nameof(AllCasesBothEngines))]
    public void Encrypts_and_decrypts_every_case(int index, bool software)
    {
        GHashEngine engine = Engine(software);
        GcmCase c = Vectors.Gcm.Value[index];
        byte[] key = Codec.Hex(c.Key), nonce = Codec.Hex(c.Nonce), aad = Codec.Hex(c.Aad);
        using var gcm = new GcmCipher(key, engine);

        byte[] data = Codec.Hex(c.Plaintext);
        var tag = new byte[16];
        gcm.Encrypt(nonce, 0, nonce.Length, aad, data, 0, data.Length, tag, 0);
        Assert.Equal(c.Ciphertext, Codec.ToHex(data));
        Assert.Equal(c.Tag, Codec.ToHex(tag));

        Assert.True(gcm.Decrypt(nonce, 0, nonce.Length, aad, data, 0, data.Length, tag, 0));
        Assert.Equal(c.Plaintext, Codec.ToHex(data));
    }

    [Theory]
    [MemberData(nameof(AllCasesBothEngines))]
    public void A_wrong_tag_or_aad_leaves_the_ciphertext_untouched(int index, bool software)
    {
        GHashEngine engine = Engine(software);
        GcmCase c = Vectors.Gcm.Value[index];
        byte[] key = Codec.Hex(c.Key), nonce = Codec.Hex(c.Nonce), aad = Codec.Hex(c.Aad);
        using var gcm = new GcmCipher(key, engine);
        byte[] tag = Codec.Hex(c.Tag);
        tag[index % 16] ^= 0x01;
        byte[] data = Codec.Hex(c.Ciphertext);
        Assert.False(gcm.Decrypt(nonce, 0, nonce.Length, aad, data, 0, data.Length, tag, 0));
        Assert.Equal(c.Ciphertext, Codec.ToHex(data));

        byte[] otherAad = aad.Append((byte)0).ToArray();
        Assert.False(gcm.Decrypt(nonce, 0, nonce.Length, otherAad, data, 0, data.Length, Codec.Hex(c.Tag), 0));
        Assert.Equal(c.Ciphertext, Codec.ToHex(data));
    }

#if !NETFRAMEWORK
    // .NET Framework has no AesGcm to compare with; the vectors above cover 12-byte nonces there.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Equals_dotnet_AesGcm_for_12_byte_nonces(bool software)
    {
        GHashEngine engine = Engine(software);
        Assert.True(AesGcm.IsSupported, ".NET AesGcm is the reference here and must be available");
        var random = new Random(1412);
        for (int round = 0; round < 300; round++)
        {
            byte[] key = Bytes(random, new[] { 16, 24, 32 }[round % 3]);
            byte[] nonce = Bytes(random, 12);
            byte[] aad = Bytes(random, round % 5 == 0 ? random.Next(0, 70) : 0);
            byte[] plaintext = Bytes(random, round < 250 ? random.Next(0, 100) : random.Next(4000, 9000)); // past one 4 KiB key-stream chunk

            var expected = new byte[plaintext.Length];
            var expectedTag = new byte[16];
            using (var reference = new AesGcm(key, 16)) reference.Encrypt(nonce, plaintext, expected, expectedTag, aad);

            using var gcm = new GcmCipher(key, engine);
            byte[] data = (byte[])plaintext.Clone();
            var tag = new byte[16];
            gcm.Encrypt(nonce, 0, 12, aad, data, 0, data.Length, tag, 0);
            Assert.Equal(expected, data);
            Assert.Equal(expectedTag, tag);
            Assert.True(gcm.Decrypt(nonce, 0, 12, aad, data, 0, data.Length, tag, 0));
            Assert.Equal(plaintext, data);
        }
    }
#endif

    [Fact]
    public void Hardware_and_software_multiplies_agree_on_random_input()
    {
        if (!GHash.HardwareAvailable)
        {
            _output.WriteLine($"no carry-less multiply in this build ({LibraryBuild.TargetFramework}): the software multiply alone is tested");
            return;
        }
        var random = new Random(2026);
        for (int round = 0; round < 2000; round++)
        {
            byte[] h = Bytes(random, 16);
            if (round < 16) Array.Fill(h, (byte)(round % 2 == 0 ? 0xFF : 0x00)); // extremes
            byte[] data = Bytes(random, random.Next(0, 100));
            var hardware = new GHash(h, hardware: true);
            var software = new GHash(h, hardware: false);
            hardware.Update(data, 0, data.Length);
            software.Update(data, 0, data.Length);
            hardware.UpdateLengths(0, data.Length);
            software.UpdateLengths(0, data.Length);
            byte[] a = new byte[16], b = new byte[16];
            hardware.Final(a, 0);
            software.Final(b, 0);
            Assert.Equal(a, b);
        }
    }

    [Fact]
    public void The_software_multiply_equals_a_plain_carryless_multiply()
    {
        var random = new Random(7);
        for (int round = 0; round < 5000; round++)
        {
            ulong x = (ulong)random.NextInt64() ^ ((ulong)random.Next() << 63);
            ulong y = round < 10 ? ulong.MaxValue : (ulong)random.NextInt64() ^ ((ulong)random.Next() << 63);
            ulong expected = 0;
            for (int i = 0; i < 64; i++)
            {
                if (((y >> i) & 1) != 0) expected ^= x << i;
            }
            Assert.Equal(expected, GHash.SoftwareMultiply(x, y));
        }
    }

    [Fact]
    public void A_large_plaintext_matches_between_engines()
    {
        byte[] key = Bytes(new Random(3), 32), nonce = Bytes(new Random(4), 32);
        byte[] plaintext = Bytes(new Random(5), 1_000_003);
        byte[] a = (byte[])plaintext.Clone(), b = (byte[])plaintext.Clone();
        byte[] tagA = new byte[16], tagB = new byte[16];
        using (var gcm = new GcmCipher(key)) gcm.Encrypt(nonce, 0, 32, null, a, 0, a.Length, tagA, 0);
        using (var gcm = new GcmCipher(key, GHashEngine.Software)) gcm.Encrypt(nonce, 0, 32, null, b, 0, b.Length, tagB, 0);
        Assert.Equal(a, b);
        Assert.Equal(tagA, tagB);
        using (var gcm = new GcmCipher(key, GHashEngine.Software)) Assert.True(gcm.Decrypt(nonce, 0, 32, null, a, 0, a.Length, tagA, 0));
        Assert.Equal(plaintext, a);
    }

    /// <summary>
    /// For a nonce other than 12 bytes, J0 = GHASH(H, nonce): with the nonce (public, in the token) it is a cubic
    /// equation in H, whose roots give H, and H with any one token forges others under that key. So no counter block
    /// may stay behind in a cipher's arrays once it has been used and disposed, nor H in its GHASH.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_used_and_disposed_cipher_keeps_no_counter_block_or_hash_key(bool software)
    {
        byte[] key = Bytes(new Random(11), 32), nonce = Bytes(new Random(12), 32);
        byte[] data = Bytes(new Random(13), 100);
        var tag = new byte[16];
        var gcm = new GcmCipher(key, Engine(software));
        gcm.Encrypt(nonce, 0, 32, null, data, 0, data.Length, tag, 0);
        Assert.True(gcm.Decrypt(nonce, 0, 32, null, data, 0, data.Length, tag, 0));
        AssertNoSecretFields(gcm, "after use");
        gcm.Dispose();
        AssertNoSecretFields(gcm, "after Dispose");
    }

    private static void AssertNoSecretFields(GcmCipher gcm, string when)
    {
        const System.Reflection.BindingFlags Fields = System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic;
        foreach (var field in typeof(GcmCipher).GetFields(Fields).Where(f => f.FieldType == typeof(byte[])))
        {
            var array = (byte[])field.GetValue(gcm)!;
            Assert.True(array.All(b => b == 0), $"{when}: GcmCipher.{field.Name} still holds data");
        }
        if (when == "after Dispose")
        {
            object ghash = typeof(GcmCipher).GetField("_ghash", Fields)!.GetValue(gcm)!;
            foreach (var field in typeof(GHash).GetFields(Fields).Where(f => f.FieldType == typeof(ulong)))
                Assert.True((ulong)field.GetValue(ghash)! == 0, $"{when}: GHash.{field.Name} is not zero");
        }
    }

    /// <summary>
    /// inc32 wraps the low 32 bits of the counter and leaves the first 96 alone. With a 32-byte nonce J0 is a hash, so
    /// its low word can sit just below 2^32; this finds such a nonce and checks the key stream across the wrap against
    /// one built here from the AES block function (a carry into byte 11, or an overflow check, would fail it).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_counter_wraps_in_its_low_32_bits_as_inc32_says(bool software)
    {
        byte[] key = Bytes(new Random(21), 32);
        using var aes = Aes.Create();
        aes.Key = key;
        aes.Mode = CipherMode.ECB;
        aes.Padding = PaddingMode.None;
        using ICryptoTransform ecb = aes.CreateEncryptor();
        var h = new byte[16];
        ecb.TransformBlock(new byte[16], 0, 16, h, 0);

        // A J0 whose low word is within the first 4096 counter steps of the wrap (about 2^20 nonces to try). The loop
        // starts at the first such nonce it found when run from 0 (seconds on Mono), so it now ends at once.
        const int Blocks = 4096;
        byte[] nonce = Bytes(new Random(22), 32);
        var j0 = new byte[16];
        var ghash = new GHash(h, hardware: false);
        uint low;
        for (uint attempt = 0x0013a185; ; attempt++)
        {
            nonce[0] = (byte)attempt; nonce[1] = (byte)(attempt >> 8); nonce[2] = (byte)(attempt >> 16); nonce[3] = (byte)(attempt >> 24);
            ghash.Reset();
            ghash.Update(nonce, 0, 32);
            ghash.UpdateLengths(0, 32);
            ghash.Final(j0, 0);
            low = (uint)(j0[12] << 24 | j0[13] << 16 | j0[14] << 8 | j0[15]);
            if (low >= uint.MaxValue - Blocks + 2) break; // wraps after the first block, before the last
            Assert.True(attempt < 0x0013a185 + (64u << 20), "no nonce found near the wrap");
        }
        _output.WriteLine($"J0 low word 0x{low:x8} (nonce prefix {nonce[0]:x2}{nonce[1]:x2}{nonce[2]:x2}{nonce[3]:x2}): the counter wraps after {uint.MaxValue - low} blocks");

        var expected = new byte[Blocks * 16];
        var counter = new byte[16];
        Array.Copy(j0, counter, 12);
        for (int b = 0; b < Blocks; b++)
        {
            uint value = unchecked(low + 1 + (uint)b);
            counter[12] = (byte)(value >> 24); counter[13] = (byte)(value >> 16); counter[14] = (byte)(value >> 8); counter[15] = (byte)value;
            ecb.TransformBlock(counter, 0, 16, expected, b * 16);
        }

        var data = new byte[Blocks * 16]; // zeros: the ciphertext is the key stream
        var tag = new byte[16];
        using (var gcm = new GcmCipher(key, Engine(software))) gcm.Encrypt(nonce, 0, 32, null, data, 0, data.Length, tag, 0);
        Assert.Equal(expected, data);
        using (var gcm = new GcmCipher(key, Engine(software))) Assert.True(gcm.Decrypt(nonce, 0, 32, null, data, 0, data.Length, tag, 0));
        Assert.All(data, b => Assert.Equal(0, b));
    }

    private static byte[] Bytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
