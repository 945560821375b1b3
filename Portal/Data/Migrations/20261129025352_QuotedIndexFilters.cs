using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations
{
    /// <inheritdoc />
    public partial class QuotedIndexFilters : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_DeferredChanges_CancelHash",
                table: "DeferredChanges");

            migrationBuilder.DropIndex(
                name: "IX_DeferredChanges_SecretHash",
                table: "DeferredChanges");

            migrationBuilder.CreateIndex(
                name: "IX_DeferredChanges_CancelHash",
                table: "DeferredChanges",
                column: "CancelHash",
                unique: true,
                filter: "\"CancelHash\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_DeferredChanges_SecretHash",
                table: "DeferredChanges",
                column: "SecretHash",
                unique: true,
                filter: "\"SecretHash\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_DeferredChanges_CancelHash",
                table: "DeferredChanges");

            migrationBuilder.DropIndex(
                name: "IX_DeferredChanges_SecretHash",
                table: "DeferredChanges");

            migrationBuilder.CreateIndex(
                name: "IX_DeferredChanges_CancelHash",
                table: "DeferredChanges",
                column: "CancelHash",
                unique: true,
                filter: "CancelHash IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_DeferredChanges_SecretHash",
                table: "DeferredChanges",
                column: "SecretHash",
                unique: true,
                filter: "SecretHash IS NOT NULL");
        }
    }
}
