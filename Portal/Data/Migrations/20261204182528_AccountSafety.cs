using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations
{
    /// <inheritdoc />
    public partial class AccountSafety : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "RevertHash",
                table: "DeferredChanges",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "RevertUntil",
                table: "DeferredChanges",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "CodeEntryLockedUntil",
                table: "AspNetUsers",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "WrongCodes",
                table: "AspNetUsers",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "ChangeSends",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ChangeId = table.Column<long>(type: "INTEGER", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    TargetId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    SentAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChangeSends", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "MailSuppressions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Address = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MailSuppressions", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_DeferredChanges_RevertHash",
                table: "DeferredChanges",
                column: "RevertHash",
                unique: true,
                filter: "\"RevertHash\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_ChangeSends_ChangeId_SentAt",
                table: "ChangeSends",
                columns: new[] { "ChangeId", "SentAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ChangeSends_SentAt",
                table: "ChangeSends",
                column: "SentAt");

            migrationBuilder.CreateIndex(
                name: "IX_ChangeSends_TargetId_SentAt",
                table: "ChangeSends",
                columns: new[] { "TargetId", "SentAt" });

            migrationBuilder.CreateIndex(
                name: "IX_MailSuppressions_Address",
                table: "MailSuppressions",
                column: "Address",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_MailSuppressions_CreatedAt",
                table: "MailSuppressions",
                column: "CreatedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ChangeSends");

            migrationBuilder.DropTable(
                name: "MailSuppressions");

            migrationBuilder.DropIndex(
                name: "IX_DeferredChanges_RevertHash",
                table: "DeferredChanges");

            migrationBuilder.DropColumn(
                name: "RevertHash",
                table: "DeferredChanges");

            migrationBuilder.DropColumn(
                name: "RevertUntil",
                table: "DeferredChanges");

            migrationBuilder.DropColumn(
                name: "CodeEntryLockedUntil",
                table: "AspNetUsers");

            migrationBuilder.DropColumn(
                name: "WrongCodes",
                table: "AspNetUsers");
        }
    }
}
