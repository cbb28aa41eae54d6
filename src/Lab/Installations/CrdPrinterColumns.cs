using System.Text.Json.Nodes;
using VmSnapshot.Lab.Api;
using VmSnapshot.Lab.Json;
using VmSnapshot.Lab.Schemas;

namespace VmSnapshot.Lab.Installations;

/// <summary>
/// The additionalPrinterColumns of a whole CRD YAML's v1 version, as apiextensions-apiserver turns them into Table
/// columns (k8s.io/apiextensions-apiserver pkg/registry/customresource/tableconvertor/tableconvertor.go, New).
/// </summary>
internal static class CrdPrinterColumns
{
    public static PrinterColumn[] From(string file)
    {
        JsonObject version = SchemaCatalog.StorageVersion(SchemaCatalog.Document(file))
            ?? throw new InvalidOperationException($"The embedded CRD {file} has no v1 version.");
        if (version["additionalPrinterColumns"] is not JsonArray columns) return [PrinterColumn.Age];
        return columns.OfType<JsonObject>().Select(c => new PrinterColumn(
            JsonUtil.Str(c["name"])!, JsonUtil.Str(c["type"])!, JsonUtil.Str(c["jsonPath"]),
            (int?)c["priority"] ?? 0, JsonUtil.Str(c["description"]) ?? "", JsonUtil.Str(c["format"]) ?? "")).ToArray();
    }
}
