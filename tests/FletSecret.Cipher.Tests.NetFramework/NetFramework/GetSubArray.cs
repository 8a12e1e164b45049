// array[a..b] compiles to RuntimeHelpers.GetSubArray (.NET Core 3.0), which .NET Framework lacks. This class of the
// same name in the test assembly wins over mscorlib's (warning CS0436, allowed in this project only); test code that
// calls another RuntimeHelpers member would have to name mscorlib's type in full.
namespace System.Runtime.CompilerServices
{
    internal static class RuntimeHelpers
    {
        /// <summary>A copy of the range of the array, as array[range] gives on .NET Core.</summary>
        public static T[] GetSubArray<T>(T[] array, Range range)
        {
            var (offset, length) = range.GetOffsetAndLength(array.Length);
            var result = new T[length];
            Array.Copy(array, offset, result, 0, length);
            return result;
        }
    }
}
