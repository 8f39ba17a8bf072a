
import zoufang.core.crypto
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('regions', '0002_initial'),
        ('registry', '0002_target_register_order'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='target',
            name='target_unique_id_number_per_kind',
        ),
        migrations.AddField(
            model_name='cadre',
            name='phone_index',
            field=zoufang.core.crypto.BlindIndexField(blank=True, db_index=True, default='', editable=False, max_length=64, verbose_name='手机号码索引'),
        ),
        migrations.AddField(
            model_name='target',
            name='id_number_index',
            field=zoufang.core.crypto.BlindIndexField(blank=True, default='', editable=False, max_length=64, verbose_name='身份证号码索引'),
        ),
        migrations.AddField(
            model_name='target',
            name='phone_index',
            field=zoufang.core.crypto.BlindIndexField(blank=True, db_index=True, default='', editable=False, max_length=64, verbose_name='联系电话索引'),
        ),
        migrations.AlterField(
            model_name='cadre',
            name='phone',
            field=zoufang.core.crypto.EncryptedCharField(blank=True, default='', index_field='phone_index', max_length=20, normaliser='phone', verbose_name='手机号码'),
        ),
        migrations.AlterField(
            model_name='target',
            name='id_number',
            field=zoufang.core.crypto.EncryptedCharField(blank=True, default='', index_field='id_number_index', max_length=18, normaliser='id', verbose_name='身份证号码'),
        ),
        migrations.AlterField(
            model_name='target',
            name='phone',
            field=zoufang.core.crypto.EncryptedCharField(blank=True, default='', index_field='phone_index', max_length=20, normaliser='phone', verbose_name='联系电话'),
        ),
        # Existing rows: plain text to ciphertext, and their blind indexes filled (reversible).
        migrations.RunPython(zoufang.core.crypto.migrate_model("registry", "cadre", "encrypt"),
                             zoufang.core.crypto.migrate_model("registry", "cadre", "decrypt")),
        migrations.RunPython(zoufang.core.crypto.migrate_model("registry", "target", "encrypt"),
                             zoufang.core.crypto.migrate_model("registry", "target", "decrypt")),
        migrations.AddConstraint(
            model_name='target',
            constraint=models.UniqueConstraint(condition=models.Q(('id_number_index', ''), _negated=True), fields=('kind', 'id_number_index'), name='target_unique_id_number_per_kind', violation_error_message='同一类别中已登记了这个身份证号码'),
        ),
    ]
