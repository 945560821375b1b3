using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

const string ResourceName = "_framework/blazor.web.js";

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: BlazorWebJs OUTPUT_FILE");
    return 2;
}

var source = typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
    .Single(a => a.Key == "SourceAssembly").Value!;

using var pe = new PEReader(File.OpenRead(source));
var metadata = pe.GetMetadataReader();
var resource = metadata.ManifestResources
    .Select(metadata.GetManifestResource)
    .Single(r => metadata.GetString(r.Name) == ResourceName);

// A manifest resource is a 4-byte little-endian length followed by the bytes, at an offset
// into the CLI header's resources directory.
var directory = pe.PEHeaders.CorHeader!.ResourcesDirectory;
var block = pe.GetSectionData(directory.RelativeVirtualAddress).GetReader();
block.Offset = (int)resource.Offset;
var length = block.ReadInt32();
var bytes = block.ReadBytes(length);

Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(args[0]))!);
File.WriteAllBytes(args[0], bytes);
Console.WriteLine($"Wrote {bytes.Length:N0} bytes from {Path.GetFileName(source)} to {args[0]}");
return 0;
